// Draws every dashboard chart: each [data-chart] element names the json_script element that
// holds its Plotly specification ({data, layout}), built on the server (reports.dashboard_tables).
(function () {
  "use strict";
  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || typeof Plotly === "undefined") return;
    var spec = JSON.parse(source.textContent);
    var config = { responsive: true, displaylogo: false, displayModeBar: false };
    Plotly.newPlot(element, spec.data, spec.layout, config);
  }
  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
