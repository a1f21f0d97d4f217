// The reviewer's scoring page: saves each answer as it changes (POST JSON to the form's
// data-save-url, with the CSRF token of the form) and lets the keyboard do the work: number
// keys pick a value, y / n answer yes or no, a is N/A, and the focus then moves on to the
// next criterion. Without this script each interaction's form posts as a plain form.
(function () {
  "use strict";

  var NA = "na";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The criterion's answer: a value string, null for N/A, undefined when unanswered.
  function answerOf(criterion) {
    if (criterion.querySelector("input[value=" + NA + "]:checked")) { return null; }
    var radio = criterion.querySelector("input[type=radio]:checked");
    if (radio) { return radio.value; }
    var number = criterion.querySelector("input[type=number]");
    if (number && number.value !== "") { return number.value; }
    return undefined;
  }

  function showStatus(criterion, text, isError) {
    var status = criterion.querySelector(".criterion-status");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
    criterion.classList.toggle("has-error", Boolean(isError));
  }

  function showProgress(form, data) {
    document.querySelectorAll("[data-progress]").forEach(function (node) {
      node.textContent = data.answered + " of " + data.needed + " answered";
    });
    var all = form.querySelectorAll("[data-criterion]").length;
    var done = form.querySelectorAll("[data-criterion].answered").length;
    document.querySelectorAll("[data-item-progress='" + form.dataset.item + "']").forEach(
      function (node) { node.textContent = done + " of " + all; }
    );
  }

  function save(form, criteria) {
    var answers = {};
    var sent = [];
    criteria.forEach(function (criterion) {
      var answer = answerOf(criterion);
      if (answer !== undefined) {
        answers[criterion.dataset.criterion] = answer;
        sent.push(criterion);
      }
    });
    if (!sent.length) { return; }
    sent.forEach(function (criterion) { showStatus(criterion, "Saving…"); });
    fetch(form.dataset.saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(form),
        "X-Requested-With": "XMLHttpRequest"
      },
      body: JSON.stringify({ item: Number(form.dataset.item), answers: answers })
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) {
          sent.forEach(function (criterion) {
            showStatus(criterion, result.data.error || "Not saved.", true);
          });
          return;
        }
        sent.forEach(function (criterion) {
          criterion.classList.add("answered");
          showStatus(criterion, "Saved");
        });
        showProgress(form, result.data);
      })
      .catch(function () {
        sent.forEach(function (criterion) {
          showStatus(criterion, "Not saved: check the connection and try again.", true);
        });
      });
  }

  function focusCriterion(criterion) {
    if (!criterion) { return; }
    var target = criterion.querySelector("input:checked") || criterion.querySelector("input");
    if (target) { target.focus(); }
  }

  function nextCriterion(criterion) {
    var all = Array.prototype.slice.call(document.querySelectorAll("[data-criterion]"));
    return all[all.indexOf(criterion) + 1];
  }

  function onChange(event) {
    var form = event.currentTarget;
    var input = event.target;
    var criterion = input.closest("[data-criterion]");
    if (!criterion) { return; }
    // A 0-100 criterion has a number input and an N/A box: one clears the other.
    var number = criterion.querySelector("input[type=number]");
    var naBox = criterion.querySelector("input[type=checkbox][value=" + NA + "]");
    if (number && naBox) {
      if (input === naBox && naBox.checked) { number.value = ""; }
      if (input === number && number.value !== "") { naBox.checked = false; }
    }
    save(form, [criterion]);
  }

  function onKey(event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.type === "number" || target.type === "text") { return; }
    var criterion = target.closest && target.closest("[data-criterion]");
    if (!criterion) { return; }
    var key = event.key.toLowerCase();
    var value = { a: NA, y: "1", n: "0" }[key] || key;
    var choice = criterion.querySelector("input[value='" + value.replace(/'/g, "") + "']");
    if (!choice || choice.disabled || !/^([0-9]|na)$/.test(value)) { return; }
    event.preventDefault();
    choice.checked = choice.type === "checkbox" ? !choice.checked : true;
    choice.dispatchEvent(new Event("change", { bubbles: true }));
    focusCriterion(nextCriterion(criterion));
  }

  function onSubmit(event) {
    event.preventDefault();
    var form = event.currentTarget;
    save(form, Array.prototype.slice.call(form.querySelectorAll("[data-criterion]")));
  }

  function init() {
    document.querySelectorAll("form.scoring-form[data-save-url]").forEach(function (form) {
      form.addEventListener("change", onChange);
      form.addEventListener("keydown", onKey);
      form.addEventListener("submit", onSubmit);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
