// A walk-run interval timer on Today: plays the segments of a step ("Walk 4 min, Run 1 min" × 5)
// from the list's data- attributes, buzzes the phone at each change and keeps the screen awake.
// Without this script the page still shows the segments as a list.
(function () {
  "use strict";

  function format(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function setUp(root) {
    var segments;
    try {
      segments = JSON.parse(root.getAttribute("data-timer-segments") || "[]");
    } catch (e) {
      return;
    }
    if (!segments.length) return;
    var panel = root.querySelector("[data-timer-panel]");
    var clock = root.querySelector("[data-timer-clock]");
    var now = root.querySelector("[data-timer-now]");
    var next = root.querySelector("[data-timer-next]");
    var progress = root.querySelector("[data-timer-progress]");
    var start = root.querySelector("[data-timer-start]");
    var startLabel = root.querySelector("[data-timer-start-label]");
    var reset = root.querySelector("[data-timer-reset]");
    var items = root.querySelectorAll("[data-timer-segment]");
    var total = segments.reduce(function (sum, s) { return sum + s.seconds; }, 0);
    var elapsed = 0; // seconds played before the current run of the clock
    var startedAt = null; // Date.now() when the clock last started
    var ticker = null;
    var wakeLock = null;
    var current = -1;

    panel.hidden = false;
    root.classList.add("timer-ready");

    function played() {
      return elapsed + (startedAt === null ? 0 : (Date.now() - startedAt) / 1000);
    }

    function locate(seconds) {
      var at = 0;
      for (var i = 0; i < segments.length; i++) {
        if (seconds < at + segments[i].seconds) return { index: i, left: at + segments[i].seconds - seconds };
        at += segments[i].seconds;
      }
      return { index: segments.length, left: 0 };
    }

    function mark(index) {
      items.forEach(function (item, i) {
        item.classList.toggle("is-now", i === index);
        item.classList.toggle("is-past", i < index);
        if (i === index) item.setAttribute("aria-current", "step");
        else item.removeAttribute("aria-current");
      });
    }

    function render() {
      var seconds = played();
      var where = locate(seconds);
      progress.value = Math.min(100, (seconds / total) * 100);
      if (where.index >= segments.length) {
        finish();
        return;
      }
      var segment = segments[where.index];
      clock.textContent = format(where.left);
      if (where.index !== current) {
        current = where.index;
        now.textContent = segment.label + " · " + segment.text + " (" + (current + 1) + " of " + segments.length + ")";
        var following = segments[current + 1];
        next.textContent = following ? "Next: " + following.label + " " + following.text : "Last one";
        mark(current);
        if (startedAt !== null && navigator.vibrate) navigator.vibrate(current === 0 ? 120 : [200, 100, 200]);
      }
    }

    function keepAwake() {
      if (!("wakeLock" in navigator)) return;
      navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }).catch(function () {});
    }

    function letSleep() {
      if (wakeLock) wakeLock.release().catch(function () {});
      wakeLock = null;
    }

    function run() {
      startedAt = Date.now();
      ticker = window.setInterval(render, 250);
      startLabel.textContent = "Pause";
      start.querySelector(".bi").className = "bi bi-pause-fill me-1";
      keepAwake();
      render();
    }

    function pause() {
      elapsed = played();
      startedAt = null;
      window.clearInterval(ticker);
      ticker = null;
      startLabel.textContent = "Resume";
      start.querySelector(".bi").className = "bi bi-play-fill me-1";
      letSleep();
    }

    function finish() {
      window.clearInterval(ticker);
      ticker = null;
      startedAt = null;
      elapsed = total;
      clock.textContent = "0:00";
      now.textContent = "Finished. Well done: mark the session done below.";
      next.textContent = "";
      mark(segments.length);
      start.disabled = true;
      if (navigator.vibrate) navigator.vibrate([300, 100, 300, 100, 300]);
      letSleep();
    }

    start.addEventListener("click", function () {
      if (ticker === null) run();
      else pause();
    });
    reset.addEventListener("click", function () {
      window.clearInterval(ticker);
      ticker = null;
      startedAt = null;
      elapsed = 0;
      current = -1;
      start.disabled = false;
      startLabel.textContent = "Start";
      start.querySelector(".bi").className = "bi bi-play-fill me-1";
      now.textContent = "Ready";
      clock.textContent = format(segments[0].seconds);
      next.textContent = "";
      progress.value = 0;
      mark(-1);
      letSleep();
    });
    clock.textContent = format(segments[0].seconds);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && ticker !== null) keepAwake();
    });
  }

  document.querySelectorAll("[data-timer]").forEach(setUp);
})();
