// The export form (templates/reports/exports.html): the sentence beside the buttons follows the
// "De-identified for research" box as it is ticked, and the patient count, which is for the
// filters last applied, says so once the filters on screen differ.
(function () {
  "use strict";
  var form = document.querySelector("[data-export-form]");
  if (!form) return;
  var box = form.querySelector("input[name='deidentified']");
  var stale = form.querySelector("[data-stale-note]");

  function showIdentity() {
    form.querySelectorAll("[data-identity]").forEach(function (note) {
      note.hidden = (note.getAttribute("data-identity") === "deidentified") !== box.checked;
    });
  }

  if (box) box.addEventListener("change", showIdentity);
  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (stale && name !== "deidentified" && name !== "format" && name !== "kind") stale.hidden = false;
  });
})();
