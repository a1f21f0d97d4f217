// Rubric editor: "Add a criterion" appends a blank row from the formset's empty form and
// counts it in the management form. Without JavaScript the page still offers a blank row.
(function () {
  "use strict";
  function setUp() {
    var button = document.querySelector("[data-add-criterion]");
    var template = document.getElementById("criterion-row-template");
    var rows = document.getElementById("criterion-rows");
    var total = document.querySelector("input[name='criteria-TOTAL_FORMS']");
    if (!button || !template || !rows || !total) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
