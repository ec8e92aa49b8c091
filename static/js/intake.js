// Hide the period questions from runners who said they do not apply (the server drops them then).
(function () {
  "use strict";
  var form = document.querySelector("[data-menstrual-toggle]");
  if (!form) return;
  var answers = form.querySelectorAll("input[name='menstrual_applicable']");
  var questions = form.querySelectorAll(".menstrual-question");
  if (!answers.length || !questions.length) return;
  function update() {
    var chosen = form.querySelector("input[name='menstrual_applicable']:checked");
    var show = !chosen || chosen.value !== "no";
    questions.forEach(function (q) { q.hidden = !show; });
  }
  answers.forEach(function (a) { a.addEventListener("change", update); });
  update();
})();
