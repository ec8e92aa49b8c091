// Progress charts (pain, daily and weekly distance) drawn with the vendored Chart.js from the
// JSON in the container's data-chart-data attribute. The same numbers are in the page's table.
(function () {
  "use strict";
  var source = document.querySelector("[data-chart-data]");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.getAttribute("data-chart-data"));

  var BRAND = "#0f766e";
  var MORNING = "#d97706";
  var ACTIVITY = "#7c3aed";
  var WALK = "#99d5cd";
  var GRID = "rgba(15, 23, 42, 0.06)";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function label(iso) {
    var parts = iso.split("-");
    return parseInt(parts[2], 10) + " " + MONTHS[parseInt(parts[1], 10) - 1];
  }

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#5b6b6b";
  Chart.defaults.animation = false;

  var dense = data.days > 90;
  var labels = data.dates.map(label);

  // The hook for plan phases: a dashed line and a label where each phase starts.
  var phaseMarkers = {
    id: "phaseMarkers",
    afterDatasetsDraw: function (chart) {
      var phases = data.phases || [];
      if (!phases.length) return;
      var x = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      var rows = []; // the right edge of the last label in each row: labels never overlap
      phases.forEach(function (phase) {
        var index = data.dates.indexOf(phase.start);
        if (index < 0) return;
        var px = x.getPixelForValue(index);
        ctx.save();
        ctx.strokeStyle = "#64748b";
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "#334155";
        var width = ctx.measureText(phase.label).width;
        // Right of its line; near the right edge, moved left just enough to fit.
        var left = Math.max(area.left, Math.min(px + 4, area.right - width));
        var row = 0;
        while (rows[row] !== undefined && rows[row] > left) row++;
        rows[row] = left + width + 6;
        ctx.fillText(phase.label, left, area.top + 12 + row * 13);
        ctx.restore();
      });
    }
  };

  function xAxis() {
    return {
      grid: { display: false },
      ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: window.innerWidth < 576 ? 5 : 10 }
    };
  }

  function legend() {
    return { position: "bottom", labels: { boxWidth: 12, boxHeight: 12, usePointStyle: true } };
  }

  function draw(canvas, config, daily) {
    if (!canvas) return null;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options);
    config.plugins = daily ? [phaseMarkers] : [];
    return new Chart(canvas, config);
  }

  function line(name, values, colour, dashed) {
    return {
      label: name,
      data: values,
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: 2,
      borderDash: dashed ? [6, 4] : [],
      pointRadius: dense ? 0 : 3,
      pointHoverRadius: 5,
      tension: 0.25,
      spanGaps: false
    };
  }

  draw(source.querySelector("[data-chart='pain']"), {
    type: "line",
    data: {
      labels: labels,
      datasets: [
        line("Now", data.site_pain, BRAND, false),
        line("On waking", data.morning_pain, MORNING, false),
        line("During activity", data.activity_pain, ACTIVITY, false),
        {
          label: "Alert level (" + data.pain_alert_level + "/10)",
          data: data.dates.map(function () { return data.pain_alert_level; }),
          borderColor: "rgba(220, 38, 38, 0.55)",
          backgroundColor: "rgba(220, 38, 38, 0.55)",
          borderWidth: 1.5,
          borderDash: [4, 4],
          pointRadius: 0,
          pointHoverRadius: 0
        }
      ]
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        x: xAxis(),
        y: { min: 0, max: 10, ticks: { stepSize: 2 }, grid: { color: GRID } }
      },
      plugins: { legend: legend() }
    }
  }, true);

  draw(source.querySelector("[data-chart='distance']"), {
    type: "bar",
    data: {
      labels: labels,
      datasets: [
        { label: "Running (" + data.unit + ")", data: data.running, backgroundColor: BRAND, borderRadius: 3, stack: "d" },
        { label: "Walking (" + data.unit + ")", data: data.walking, backgroundColor: WALK, borderRadius: 3, stack: "d" }
      ]
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        x: Object.assign(xAxis(), { stacked: true }),
        y: { beginAtZero: true, stacked: true, grid: { color: GRID }, title: { display: true, text: data.unit } }
      },
      plugins: { legend: legend() }
    }
  }, true);

  draw(source.querySelector("[data-chart='weekly']"), {
    type: "bar",
    data: {
      labels: data.weeks.map(function (w) { return label(w.start); }),
      datasets: [
        { label: "Running per week (" + data.unit + ")", data: data.weeks.map(function (w) { return w.distance; }), backgroundColor: BRAND, borderRadius: 4, maxBarThickness: 36 }
      ]
    },
    options: {
      scales: {
        x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } },
        y: { beginAtZero: true, grid: { color: GRID }, title: { display: true, text: data.unit } }
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: function (items) { return "Week of " + items[0].label; } } }
      }
    }
  }, false);
})();
