// The outcome dashboard's charts, drawn with the vendored Chart.js from the JSON in the board's
// data-outcome-data attribute. Each chart has a table beside it with the same numbers.
(function () {
  "use strict";
  var board = document.querySelector("[data-outcome-data]");
  if (!board || typeof Chart === "undefined") return;
  var data = JSON.parse(board.getAttribute("data-outcome-data"));

  var BRAND = "#0f766e";
  var SOFT = "#99d5cd";
  var AMBER = "#d97706";
  var GRID = "rgba(15, 23, 42, 0.06)";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#5b6b6b";
  Chart.defaults.animation = false;

  function weekLabel(iso) {
    var parts = iso.split("-");
    return parseInt(parts[2], 10) + " " + MONTHS[parseInt(parts[1], 10) - 1];
  }

  function bars(name, pairs, options) {
    var canvas = board.querySelector('[data-outcome-chart="' + name + '"]');
    if (!canvas || !pairs) return;
    options = options || {};
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: pairs.map(function (p) { return options.label ? options.label(p[0]) : p[0]; }),
        datasets: [{
          label: options.series || "",
          data: pairs.map(function (p) { return p[1]; }),
          backgroundColor: options.colour || BRAND,
          borderRadius: 4,
          maxBarThickness: 48
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: options.horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: {
          x: { grid: { display: !!options.horizontal, color: GRID }, beginAtZero: true, max: options.max, ticks: { precision: 0 } },
          y: { grid: { display: !options.horizontal, color: GRID }, beginAtZero: true, max: options.horizontal ? undefined : options.max, ticks: { precision: 0 } }
        }
      }
    });
  }

  bars("status", data.status, { series: "Patients", horizontal: true });
  bars("phase", data.phase, { series: "Patients", horizontal: true });
  bars("first_run_by_risk", data.first_run_by_risk, { series: "Median days", colour: [AMBER, SOFT, "#cbd5e1"] });
  bars("alerts", data.alerts, { series: "Alerts", label: weekLabel });
  bars("delivery", data.delivery, { series: "% delivered", horizontal: true, max: 100 });
})();
