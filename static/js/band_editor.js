// Band editor: "Add a band" appends a blank row from the formset's empty form and counts it
// in the management form. Without JavaScript the page still offers its blank rows.
(function () {
  "use strict";
  function setUp() {
    var button = document.querySelector("[data-add-band]");
    var template = document.getElementById("band-row-template");
    var rows = document.getElementById("band-rows");
    var total = document.querySelector("input[name$='-TOTAL_FORMS']");
    if (!button || !template || !rows || !total) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
