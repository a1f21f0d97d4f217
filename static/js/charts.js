// Draws every Plotly figure a page embeds as <script type="application/json" data-plotly="ID">
// into the element with that id. plotly.js is loaded once, from vendor/plotly.min.js.
//
// Every chart (not the sparklines inside tables, whose rows carry the figures) gets a text
// alternative: the element is labelled as an image by the figure's title and description,
// and a <details> after it holds the figure's data as a table, for screen readers, for
// people who want the numbers, and for print.
(function () {
  "use strict";

  function text(value) {
    if (value === null || value === undefined || value === "") { return "–"; }
    return String(value);
  }

  function titleOf(figure) {
    var title = figure.layout && figure.layout.title;
    return (title && (title.text || title)) || "";
  }

  function axisTitle(axis) {
    var title = axis && axis.title;
    return (title && (title.text || title)) || "";
  }

  // The traces a table can show: one column per named trace with x and y (lines, bars);
  // a filled interval becomes one "low – high" column; a box lists its points.
  function dataTable(figure) {
    var layout = figure.layout || {};
    var xTitle = axisTitle(layout.xaxis) || "x";
    var yUnit = axisTitle(layout.yaxis);
    var rows = [];
    var index = {};
    var columns = [];
    (figure.data || []).forEach(function (trace) {
      if (!trace.x) { return; }
      if (trace.type === "box") {
        var labels = trace.customdata || [];
        columns.push(trace.name || "value");
        trace.x.forEach(function (value, i) {
          var label = labels[i] ? (Array.isArray(labels[i]) ? labels[i][0] : labels[i]) : String(i + 1);
          var row = { x: label, values: {} };
          row.values[trace.name || "value"] = value;
          rows.push(row);
        });
        return;
      }
      if (!trace.y) { return; }
      var name = trace.name || "value";
      var unit = trace.yaxis === "y2" ? axisTitle(layout.yaxis2) : yUnit;
      var column = unit && name.indexOf("(") < 0 ? name + " (" + unit + ")" : name;
      if (trace.fill === "toself") {
        // an interval: x runs there and back; pair each x with its high and low
        var half = trace.x.length / 2;
        columns.push(column);
        for (var k = 0; k < half; k++) {
          var key = String(trace.x[k]);
          if (!(key in index)) { index[key] = rows.length; rows.push({ x: trace.x[k], values: {} }); }
          var low = trace.y[trace.y.length - 1 - k];
          var high = trace.y[k];
          rows[index[key]].values[column] = (low === null || high === null) ? null : low + " – " + high;
        }
        return;
      }
      columns.push(column);
      trace.x.forEach(function (x, i) {
        var key = String(x);
        if (!(key in index)) { index[key] = rows.length; rows.push({ x: x, values: {} }); }
        rows[index[key]].values[column] = trace.y[i];
      });
    });
    if (!columns.length) { return null; }
    var table = document.createElement("table");
    table.className = "data chart-table";
    var head = table.createTHead().insertRow();
    [xTitle].concat(columns).forEach(function (label) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = text(row.x);
      tr.appendChild(th);
      columns.forEach(function (column) {
        var td = tr.insertCell();
        td.className = "num";
        td.textContent = text(row.values[column]);
      });
    });
    return table;
  }

  function describe(target, figure) {
    var title = titleOf(figure);
    var label = [title, figure.description].filter(Boolean).join(". ");
    if (!target.hasAttribute("role")) { target.setAttribute("role", "img"); }
    if (!target.hasAttribute("aria-label") && label) { target.setAttribute("aria-label", label); }
    var next = target.nextElementSibling;
    if (target.dataset.noTable !== undefined || (next && next.classList.contains("chart-data"))) { return; }
    var table = dataTable(figure);
    if (!table) { return; }
    var details = document.createElement("details");
    details.className = "chart-data";
    var summary = document.createElement("summary");
    summary.textContent = "Data" + (title ? ": " + title : "");
    details.appendChild(summary);
    if (figure.description) {
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = figure.description;
      details.appendChild(note);
    }
    details.appendChild(table);
    target.insertAdjacentElement("afterend", details);
  }

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
      if (!small) { describe(target, figure); }
      target.dataset.drawn = "1";
    });
    // A chart drawn inside a closed <details> has no width yet: fit it when it opens.
    document.querySelectorAll("details").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) { return; }
        details.querySelectorAll(".js-plotly-plot").forEach(function (plot) {
          window.Plotly.Plots.resize(plot);
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
