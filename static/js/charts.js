// Draws every Plotly figure a page embeds as <script type="application/json" data-plotly="ID">
// into the element with that id. plotly.js is loaded once, from vendor/plotly.min.js.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll("script[data-plotly]").forEach(function (node) {
      var target = document.getElementById(node.dataset.plotly);
      if (!target || target.dataset.drawn) { return; }
      var figure = JSON.parse(node.textContent);
      var small = target.classList.contains("sparkline");
      window.Plotly.newPlot(target, figure.data, figure.layout, {
        displayModeBar: false,
        staticPlot: small,
        responsive: !small
      });
      target.dataset.drawn = "1";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
