// Draws an indicator's quarterly results against its target from the JSON the server embedded
// (json_script, indicators/page.py quarter_chart_data); computes nothing but the axis range.
(function () {
  "use strict";

  var FONT = { family: 'system-ui, "Noto Sans Thai", "Laksaman", sans-serif', size: 13 };
  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
  var COLOURS = { met: "#2e7d32", behind: "#c62828", no_target: "#f9a825", no_result: "#9e9e9e", in_progress: "#0277bd" };

  function draw(el, data) {
    var small = el.clientWidth < 576;
    var values = data.results.filter(function (v) { return v !== null; });
    if (data.target !== null) values.push(data.target);
    var quarterTargets = (data.quarter_targets || []).filter(function (v) { return v !== null; });
    values = values.concat(quarterTargets);
    var top = Math.max.apply(null, values.concat([0])) * 1.15 || 1;
    var traces = [
      {
        type: "bar",
        name: data.labels.result,
        x: data.quarters,
        y: data.results,
        marker: { color: data.statuses.map(function (s) { return COLOURS[s] || COLOURS.no_result; }) },
        customdata: data.status_labels,
        hovertemplate: "%{y}<br>%{customdata}<extra></extra>",
        text: data.results.map(function (v) { return v === null ? "" : String(v); }),
        textposition: "outside",
        cliponaxis: false,
        showlegend: false,
      },
    ];
    if (quarterTargets.length) {
      // The quarters' own targets, where the planning office set them.
      traces.push({
        type: "scatter",
        mode: "markers+lines",
        name: data.labels.quarter_target,
        x: data.quarters,
        y: data.quarter_targets,
        connectgaps: false,
        line: { color: "#1b5e20", width: 1, dash: "dot" },
        marker: { symbol: "diamond", size: 9, color: "#1b5e20" },
        hovertemplate: data.labels.quarter_target + " %{y}<extra></extra>",
        showlegend: false,
      });
    }
    var shapes = [];
    var annotations = [];
    if (data.target !== null) {
      // The side of the target that meets it: below for lower-is-better, above otherwise.
      shapes.push({
        type: "rect",
        xref: "paper",
        x0: 0,
        x1: 1,
        y0: data.lower_is_better ? 0 : data.target,
        y1: data.lower_is_better ? data.target : top,
        fillcolor: "rgba(46, 125, 50, 0.08)",
        line: { width: 0 },
        layer: "below",
      });
      shapes.push({
        type: "line",
        xref: "paper",
        x0: 0,
        x1: 1,
        y0: data.target,
        y1: data.target,
        line: { color: "#1b5e20", width: 2, dash: "dash" },
      });
      annotations.push({
        xref: "paper",
        x: 1,
        xanchor: "right",
        y: data.target,
        // On the other side of the line from the label of the side that meets it.
        yanchor: data.lower_is_better ? "bottom" : "top",
        text: data.labels.target + " " + data.target,
        showarrow: false,
        font: { color: "#1b5e20" },
        bgcolor: "rgba(255, 255, 255, 0.8)",
      });
      // Said next to the line, on the side that meets the target.
      annotations.push({
        xref: "paper",
        x: 0,
        xanchor: "left",
        y: data.target,
        yanchor: data.lower_is_better ? "top" : "bottom",
        text: data.labels.good_side,
        showarrow: false,
        font: { color: "#2e7d32", size: 11 },
        bgcolor: "rgba(255, 255, 255, 0.8)",
      });
    }
    var layout = {
      font: FONT,
      margin: { l: 48, r: 12, t: 16, b: 36 },
      height: small ? 260 : 300,
      xaxis: { fixedrange: true },
      yaxis: { range: [0, top], title: { text: data.labels.axis }, fixedrange: true, rangemode: "tozero" },
      shapes: shapes,
      annotations: annotations,
      bargap: 0.45,
    };
    window.Plotly.newPlot(el, traces, layout, CONFIG);
  }

  function init() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-indicator-chart]").forEach(function (el) {
      var node = document.getElementById(el.dataset.indicatorChart);
      if (node) draw(el, JSON.parse(node.textContent));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
