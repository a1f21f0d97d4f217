// "Add a row" for formset editors (SLA bands, rubric criteria). A button
// `data-add-row="band" data-prefix="bands"` appends a blank row from <template id="band-row-template">
// to #band-rows and counts it in the formset's management form (bands-TOTAL_FORMS), then
// focuses the row's first field. Without JavaScript the page still offers its blank rows.
(function () {
  "use strict";
  function setUp() {
    document.querySelectorAll("[data-add-row]").forEach(function (button) {
      var name = button.getAttribute("data-add-row");
      var template = document.getElementById(name + "-row-template");
      var rows = document.getElementById(name + "-rows");
      var total = document.querySelector(
        "input[name='" + button.getAttribute("data-prefix") + "-TOTAL_FORMS']"
      );
      if (!template || !rows || !total) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
        total.value = String(index + 1);
        var added = rows.lastElementChild;
        var first = added && added.querySelector("input, select, textarea");
        if (first) { first.focus(); }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
