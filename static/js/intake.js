// The questionnaire step: period questions shown only where they may apply, and every answer
// saved as it is given, so a phone that sleeps or drops the tab loses nothing.
(function () {
  "use strict";
  var form = document.querySelector("form.intake-step");
  if (!form) return;

  // Hide the period questions from runners who said they do not apply (the server drops them).
  var periodAnswers = form.querySelectorAll("input[name='menstrual_applicable']");
  var periodQuestions = form.querySelectorAll(".menstrual-question");
  function showPeriodQuestions() {
    var chosen = form.querySelector("input[name='menstrual_applicable']:checked");
    var show = !chosen || chosen.value !== "no";
    periodQuestions.forEach(function (q) { q.hidden = !show; });
  }
  if (periodAnswers.length && periodQuestions.length) {
    periodAnswers.forEach(function (a) { a.addEventListener("change", showPeriodQuestions); });
    showPeriodQuestions();
  }

  // The two-step region picker: the area first, then only that area's exact spots. Without
  // JavaScript every spot is listed; a spot already chosen selects its area on return.
  var areas = form.querySelectorAll("input[name='area']");
  var spots = form.querySelectorAll("input[name='region'][data-area]");
  function showSpots() {
    var chosen = form.querySelector("input[name='area']:checked");
    spots.forEach(function (spot) {
      var box = spot.closest(".form-check") || spot.parentNode;
      box.hidden = !!chosen && spot.getAttribute("data-area") !== chosen.value;
      if (box.hidden && spot.checked) spot.checked = false;
    });
  }
  // The drawing: the chosen spot's dot is marked, other areas' dots fade, and tapping a dot
  // picks its radio (a change event, so the answer is autosaved like any other).
  var dots = form.querySelectorAll("[data-spot-map] .spot-dot");
  function markDots() {
    var area = form.querySelector("input[name='area']:checked");
    var spot = form.querySelector("input[name='region']:checked");
    dots.forEach(function (dot) {
      dot.classList.toggle("is-selected", !!spot && dot.getAttribute("data-spot") === spot.value);
      dot.classList.toggle("is-other-area", !!area && dot.getAttribute("data-area") !== area.value);
    });
  }
  function pickDot(event) {
    var dot = event.target.closest(".spot-dot");
    if (!dot) return;
    var area = form.querySelector("input[name='area'][value='" + dot.getAttribute("data-area") + "']");
    if (area && !area.checked) {
      area.checked = true;
      showSpots();
    }
    var spot = form.querySelector("input[name='region'][value='" + dot.getAttribute("data-spot") + "']");
    if (spot) {
      spot.checked = true;
      spot.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
  if (areas.length && spots.length) {
    var picked = form.querySelector("input[name='region']:checked");
    if (picked && !form.querySelector("input[name='area']:checked")) {
      var area = form.querySelector("input[name='area'][value='" + picked.getAttribute("data-area") + "']");
      if (area) area.checked = true;
    }
    areas.forEach(function (a) { a.addEventListener("change", showSpots); });
    showSpots();
    if (dots.length) {
      form.addEventListener("change", markDots);
      form.querySelector("[data-spot-map]").addEventListener("click", pickDot);
      markDots();
    }
  }

  // Save the step as it is answered. The server keeps it only when every answer on the step is
  // valid; Continue still shows what to fix.
  var status = form.querySelector("[data-autosave-status]");
  if (!form.hasAttribute("data-autosave") || !window.fetch || !window.FormData) return;
  var timer = null, pending = false, saving = false, again = false;

  function say(text) { if (status) status.textContent = text; }

  function save(keepalive) {
    clearTimeout(timer);
    pending = false;
    if (saving) { again = true; return; }
    saving = true;
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Intake-Autosave": "1" },
      credentials: "same-origin",
      keepalive: !!keepalive
    }).then(function (response) {
      return response.ok ? response.json() : {};
    }).then(function (result) {
      if (result.saved === true) say("Your answers on this page are saved.");
      else if (result.saved === false) say("Not saved yet: press Continue to see what to fix.");
      else say("");
    }).catch(function () {
      say("Not saved: no connection. Your answers stay on this page.");
    }).then(function () {
      saving = false;
      if (again) { again = false; save(false); }
    });
  }

  function later(ms) {
    pending = true;
    clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, ms);
  }

  form.addEventListener("change", function () { later(150); });
  form.addEventListener("input", function () { later(1000); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && pending) save(true);
  });
  form.addEventListener("submit", function () { clearTimeout(timer); pending = false; });
})();
