// Polls an import's status while a worker reads the file, moves the progress bar, and
// reloads the page once the import has finished to show its summary or its problems.
(function () {
  "use strict";
  var box = document.getElementById("import-state");
  if (!box || box.dataset.finished === "1") { return; }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  var label = document.getElementById("import-status-label");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.finished) { window.location.reload(); return; }
        bar.style.width = state.percent + "%";
        bar.parentNode.setAttribute("aria-valuenow", state.percent);
        label.textContent = state.label;
        text.textContent = state.rows.toLocaleString() + " of about " + state.expected.toLocaleString() +
          " rows read" + (state.phase ? " (" + state.phase + ")" : "") + ". This page updates by itself.";
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
