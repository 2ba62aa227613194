// Draws the project page's charts from the JSON the server embedded (json_script); computes nothing.
(function () {
  "use strict";

  var FONT = { family: 'system-ui, "Noto Sans Thai", "Laksaman", sans-serif', size: 13 };
  var CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function xAxis(data) {
    return {
      type: "date",
      range: data.range,
      tickmode: "array",
      tickvals: data.ticks.vals,
      ticktext: data.ticks.text,
      tickangle: 0,
      automargin: true,
      showgrid: true,
    };
  }

  function narrow(el) {
    return el.clientWidth < 576;
  }

  function drawProgress(el, data) {
    var small = narrow(el);
    var traces = [
      {
        name: data.actual.name,
        x: data.actual.x,
        y: data.actual.y,
        type: "scatter",
        mode: "lines+markers",
        line: { shape: "hv", color: "#1b5e20", width: 3 },
        marker: { size: 7 },
        hovertemplate: "%{y:.2f}%<extra>" + data.actual.name + "</extra>",
      },
      {
        name: data.planned.name,
        x: data.planned.x,
        y: data.planned.y,
        type: "scatter",
        mode: "lines",
        line: { color: "#6c757d", width: 2, dash: "dash" },
        hovertemplate: "%{y:.2f}%<extra>" + data.planned.name + "</extra>",
      },
    ];
    var axis = xAxis(data);
    if (small) {
      // Every other month on a phone, so the Thai labels do not collide.
      axis.tickvals = data.ticks.vals.filter(function (_, i) { return i % 2 === 0; });
      axis.ticktext = data.ticks.text.filter(function (_, i) { return i % 2 === 0; });
    }
    var layout = {
      font: FONT,
      margin: { l: 44, r: 12, t: 12, b: 40 },
      height: small ? 280 : 340,
      xaxis: axis,
      yaxis: { range: [0, 105], title: { text: data.labels.percent }, fixedrange: true, tickvals: [0, 20, 40, 60, 80, 100] },
      legend: { orientation: "h", x: 0, y: -0.18 },
      hovermode: "x unified",
    };
    layout.margin.b = 70;
    window.Plotly.newPlot(el, traces, layout, CONFIG);
  }

  function drawSteps(el, data) {
    var small = narrow(el);
    var day = 24 * 60 * 60 * 1000;
    var labels = data.steps.map(function (s) { return s.label; });
    // One bar per step from start to end; a single-day step still gets one day's width.
    var bars = {
      type: "bar",
      orientation: "h",
      y: labels,
      base: data.steps.map(function (s) { return s.start; }),
      // At least three days wide, so a single-day step stays visible on a year-long axis.
      x: data.steps.map(function (s) {
        return Math.max(Date.parse(s.end) - Date.parse(s.start) + day, 3 * day);
      }),
      marker: { color: "#81c784", line: { color: "#1b5e20", width: 1 } },
      customdata: data.steps.map(function (s) { return [s.name, s.weight]; }),
      hovertemplate: "%{customdata[0]}<br>%{customdata[1]}%<extra></extra>",
      showlegend: false,
    };
    var markers = {
      type: "scatter",
      mode: "markers",
      y: labels,
      x: data.steps.map(function (s) { return s.end; }),
      marker: { symbol: "diamond", size: 9, color: "#1b5e20" },
      hoverinfo: "skip",
      showlegend: false,
    };
    var axis = xAxis(data);
    if (small) {
      // Every third month: the step labels leave this chart narrower than the progress chart.
      axis.tickvals = data.ticks.vals.filter(function (_, i) { return i % 3 === 0; });
      axis.ticktext = data.ticks.text.filter(function (_, i) { return i % 3 === 0; });
    }
    var layout = {
      font: FONT,
      margin: { l: 70, r: 12, t: 28, b: 36 },
      height: 70 + 26 * data.steps.length,
      title: { text: data.labels.steps_title, font: { size: 14 }, x: 0, xanchor: "left" },
      xaxis: axis,
      yaxis: { autorange: "reversed", fixedrange: true, automargin: true },
      bargap: 0.35,
    };
    window.Plotly.newPlot(el, [bars, markers], layout, CONFIG);
  }

  function init() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-progress-chart]").forEach(function (el) {
      var data = readData(el.dataset.progressChart);
      if (data) drawProgress(el, data);
    });
    document.querySelectorAll("[data-steps-chart]").forEach(function (el) {
      var data = readData(el.dataset.stepsChart);
      if (data && data.steps.length) drawSteps(el, data);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
