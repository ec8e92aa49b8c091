// The daily log form: add activity rows, hide fields an activity does not have, clear a pain.
// The form works without this script; it only saves taps.
(function () {
  "use strict";
  var form = document.querySelector("[data-log-form]");
  if (!form) return;

  var NO_DISTANCE = ["strength", "rest"];
  var NO_MINUTES = ["rest"];

  function fitFields(row) {
    var kind = row.querySelector("[data-activity-kind]");
    if (!kind) return;
    var distance = row.querySelector("[data-field='distance']");
    var minutes = row.querySelector("[data-field='minutes']");
    var rpe = row.querySelector("[data-field='rpe']");
    var noDistance = NO_DISTANCE.indexOf(kind.value) !== -1;
    var noMinutes = NO_MINUTES.indexOf(kind.value) !== -1;
    // Hide only empty fields, so a value typed before the kind changed stays visible to fix.
    if (distance) distance.hidden = noDistance && !distance.querySelector("input").value;
    if (minutes) minutes.hidden = noMinutes && !minutes.querySelector("input").value;
    if (rpe) rpe.hidden = noMinutes;
  }

  function watch(row) {
    var kind = row.querySelector("[data-activity-kind]");
    if (kind) kind.addEventListener("change", function () { fitFields(row); });
    fitFields(row);
  }

  var rows = form.querySelector("[data-activity-rows]");
  rows.querySelectorAll("[data-activity-row]").forEach(watch);

  var template = form.querySelector("[data-activity-template]");
  var add = form.querySelector("[data-add-activity]");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var max = form.querySelector("input[name$='-MAX_NUM_FORMS']");
  if (template && add && total) {
    var limit = max ? parseInt(max.value, 10) : 8;
    var update = function () { add.hidden = parseInt(total.value, 10) >= limit; };
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      var label = row.querySelector("label");
      if (label) label.textContent = "Activity " + (index + 1);
      rows.appendChild(row);
      total.value = String(index + 1);
      watch(row);
      update();
      var select = row.querySelector("select");
      if (select) select.focus();
    });
    update();
  }

  form.querySelectorAll("[data-clear-pain]").forEach(function (button) {
    var name = button.getAttribute("data-clear-pain");
    var radios = form.querySelectorAll("input[name='" + name + "']");
    var refresh = function () {
      button.hidden = !Array.prototype.some.call(radios, function (r) { return r.checked; });
    };
    radios.forEach(function (r) { r.addEventListener("change", refresh); });
    button.addEventListener("click", function () {
      radios.forEach(function (r) { r.checked = false; });
      refresh();
    });
    refresh();
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
