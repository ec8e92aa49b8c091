// Progress of prepared exports: polls each unfinished job's JSON status (data-job-status-url)
// about once a second, moves its <progress> bar and shows the download link when it is ready.
(function () {
  "use strict";
  var SETTLED = { done: true, failed: true, expired: true };
  var POLL_MS = 1000;
  var RETRY_MS = 5000;

  function describe(state) {
    if (state.status === "done") return state.status_label + " · " + state.rows.toLocaleString() + (state.rows === 1 ? " row" : " rows");
    if (state.status === "failed") return state.status_label + (state.error ? " · " + state.error : "");
    if (state.status === "running" && state.total) {
      return state.status_label + " · " + state.rows.toLocaleString() + " of " + state.total.toLocaleString() + " rows";
    }
    return state.status_label;
  }

  function update(item, state) {
    var bar = item.querySelector("progress");
    var status = item.querySelector("[data-job-status]");
    var link = item.querySelector("[data-job-download]");
    if (bar) {
      bar.value = state.progress;
      bar.textContent = state.progress + "%";
    }
    if (status) status.textContent = describe(state);
    if (link && state.download_url) {
      link.href = state.download_url;
      link.hidden = false;
    }
    item.setAttribute("data-settled", SETTLED[state.status] ? "true" : "false");
  }

  function poll(item) {
    fetch(item.getAttribute("data-job-status-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (state) {
        update(item, state);
        if (!SETTLED[state.status]) window.setTimeout(function () { poll(item); }, POLL_MS);
      })
      .catch(function () {
        window.setTimeout(function () { poll(item); }, RETRY_MS);
      });
  }

  document.querySelectorAll("[data-job-status-url]").forEach(function (item) {
    if (item.getAttribute("data-settled") !== "true") poll(item);
  });
})();
