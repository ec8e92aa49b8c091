/*
 * Rebound: warn a minute before an idle staff session ends, and let the person stay signed in.
 *
 * Driven by data- attributes on <body> (templates/base.html), only present on sessions that end
 * when idle:
 *   data-session-timeout    seconds left when the page was served
 *   data-session-warning    seconds before the end to open the warning
 *   data-session-url        GET: {"remaining": seconds} without counting as activity;
 *                           POST (with the CSRF token): "Stay signed in", restarts the clock
 *   data-session-login-url  where to go once the session has ended
 *   data-csrf-token         the CSRF token for the POST (the cookie is HttpOnly)
 * The warning itself is the Bootstrap modal #session-timeout (templates/includes/session_timeout.html).
 * Another tab may have kept the session alive, so the server is asked before warning or leaving.
 */
(function () {
  "use strict";

  var body = document.body;
  var dialog = document.getElementById("session-timeout");
  if (!body.dataset.sessionTimeout || !dialog || !window.bootstrap) {
    return;
  }
  var warning = Number(body.dataset.sessionWarning) || 60;
  var url = body.dataset.sessionUrl;
  var modal = window.bootstrap.Modal.getOrCreateInstance(dialog);
  var countdown = dialog.querySelector("[data-session-countdown]");
  var stayButton = dialog.querySelector("[data-session-stay]");
  var deadline = 0;
  var warnTimer = null;
  var tickTimer = null;

  function secondsLeft() {
    return Math.max(0, Math.round((deadline - Date.now()) / 1000));
  }

  function schedule(remaining) {
    deadline = Date.now() + remaining * 1000;
    window.clearTimeout(warnTimer);
    warnTimer = window.setTimeout(check, Math.max(0, remaining - warning) * 1000);
  }

  function ask(method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") {
      headers["X-CSRFToken"] = body.dataset.csrfToken;
    }
    // A session that has ended is redirected to the login page. Not following that redirect
    // leaves the "you were signed out" message for the login page this script then opens.
    var options = { method: method, headers: headers, credentials: "same-origin", redirect: "manual" };
    return window
      .fetch(url, options)
      .then(function (response) {
        if (!response.ok) {
          throw new Error("The session has ended.");
        }
        return response.json();
      })
      .then(function (data) {
        return Number(data.remaining);
      });
  }

  function check() {
    ask("GET").then(function (remaining) {
      if (remaining > warning) {
        hide();
        schedule(remaining);
      } else if (remaining > 0) {
        deadline = Date.now() + remaining * 1000;
        show();
      } else {
        leave();
      }
    }, leave);
  }

  function show() {
    render();
    if (!dialog.classList.contains("show")) {
      modal.show();
    }
    window.clearInterval(tickTimer);
    tickTimer = window.setInterval(tick, 1000);
  }

  function hide() {
    window.clearInterval(tickTimer);
    if (dialog.classList.contains("show")) {
      modal.hide();
    }
  }

  function tick() {
    render();
    if (secondsLeft() <= 0) {
      window.clearInterval(tickTimer);
      check();
    }
  }

  function render() {
    var left = secondsLeft();
    var seconds = String(left % 60);
    countdown.textContent = Math.floor(left / 60) + ":" + (seconds.length < 2 ? "0" : "") + seconds;
  }

  function stay() {
    stayButton.disabled = true;
    ask("POST")
      .then(function (remaining) {
        hide();
        schedule(remaining);
      }, leave)
      .finally(function () {
        stayButton.disabled = false;
      });
  }

  function leave() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(body.dataset.sessionLoginUrl + "?next=" + encodeURIComponent(here));
  }

  stayButton.addEventListener("click", stay);
  schedule(Number(body.dataset.sessionTimeout));
})();
