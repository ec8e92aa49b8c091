// Outcome-measure charts (LEFS, UWRI): each instrument's scores over time drawn with the vendored
// Chart.js, with a dashed line at the score that passes the meaningful change from the baseline.
// The data is the JSON in data-measure-data; the page's tables have the same numbers.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.querySelector("[data-measure-data]");
  if (!source || typeof Chart === "undefined") return;
  var series = JSON.parse(source.getAttribute("data-measure-data"));
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function label(iso) {
    var parts = iso.split("-");
    return parseInt(parts[2], 10) + " " + MONTHS[parseInt(parts[1], 10) - 1] + " " + parts[0].slice(2);
  }

  series.forEach(function (s) {
    var canvas = source.querySelector("[data-measure-chart='" + s.code + "']");
    if (!canvas) return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: s.dates.map(label),
        datasets: [
          {
            label: s.label,
            data: s.totals,
            borderColor: "#0f766e",
            backgroundColor: "#0f766e",
            borderWidth: 2,
            pointRadius: 4,
            tension: 0
          },
          {
            label: "Meaningful change from baseline (" + s.target + ")",
            data: s.dates.map(function () { return s.target; }),
            borderColor: "rgba(100, 116, 139, 0.8)",
            borderDash: [6, 4],
            borderWidth: 1.5,
            pointRadius: 0
          }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: s.max, ticks: { stepSize: s.max > 40 ? 20 : 9 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
      }
    });
  });
});
