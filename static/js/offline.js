// The installable app on the page side (the worker itself is /sw.js, clinic/views/offline.py).
// - A patient's page registers the service worker.
// - Any other page (signed out, staff) empties what the worker kept of a patient's pages.
// - On the daily-log form, a log saved without a network waits on the device (IndexedDB) and is
//   sent when the network returns, exactly once: its submission id makes a resend harmless, and
//   the entry is removed only once the server has answered that it kept the log.
(function () {
  "use strict";
  var script = document.currentScript;
  var mode = script ? script.getAttribute("data-offline") : "";
  var PAGES = "rebound-pages";

  if (mode !== "patient") {
    if (window.caches) caches.delete(PAGES);
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "signed-out" });
    }
    return;
  }
  if (!("serviceWorker" in navigator) || !window.indexedDB) return;
  navigator.serviceWorker.register(script.getAttribute("data-worker"), { scope: "/" });

  var form = document.querySelector("form[data-offline-owner]");
  if (!form) return;
  var owner = form.getAttribute("data-offline-owner");
  var target = form.getAttribute("data-offline-action");
  var status = document.createElement("div");
  status.className = "alert alert-warning offline-status";
  status.setAttribute("role", "status");
  status.hidden = true;
  form.parentNode.insertBefore(status, form);

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("rebound-offline", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("outbox", mode);
        var result = work(tx.objectStore("outbox"));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function mine() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return all.filter(function (entry) { return entry.owner === owner; });
    });
  }

  function show(text, kind) {
    status.textContent = text;
    status.className = "alert offline-status alert-" + kind;
    status.hidden = !text;
  }

  function showWaiting() {
    return mine().then(function (entries) {
      if (entries.length) {
        show("Waiting to send (" + entries.length + "). Your log is kept on this phone and " +
          "goes to your clinic as soon as you are online.", "warning");
      }
      return entries;
    });
  }

  // One entry at a time, in the order saved. The server answers a kept log (or one it had kept
  // already, "You sent this twice; it was kept once") with a redirect; a form shown again means
  // it needs changes, and the sign-in page means the session ended: both stay queued.
  function send(entry) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(entry.action, {
      method: "POST", body: body, credentials: "same-origin", redirect: "follow",
    }).then(function (response) {
      var landed = new URL(response.url);
      if (response.ok && response.redirected && landed.pathname.indexOf("/accounts/") !== 0) {
        return withStore("readwrite", function (store) { return store.delete(entry.id); })
          .then(function () { return true; });
      }
      return false;
    });
  }

  var sending = false;
  function flush() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    return mine().then(function (entries) {
      var sent = 0;
      var chain = Promise.resolve(true);
      entries.forEach(function (entry) {
        chain = chain.then(function (ok) {
          if (!ok) return false;
          return send(entry).then(function (done) { if (done) sent += 1; return done; });
        });
      });
      return chain.then(function (ok) {
        if (ok && sent) {
          show("Sent (" + sent + "). Your clinic has your log.", "success");
        } else if (!ok) {
          show("Your log saved offline could not be sent yet: sign in again, or open the day " +
            "and save it once more.", "warning");
        }
      });
    }).catch(function () {
      return showWaiting();  // the network dropped again: keep waiting
    }).then(function () { sending = false; });
  }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine) return;
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, name) { fields.push([name, String(value)]); });
    // A page shown from the cache carries the id of its last download, possibly used by an
    // earlier offline save of the same page: each queued log gets an id of its own, kept on
    // every attempt to send it, so resending it is harmless and two saves stay two.
    var fresh = self.crypto.randomUUID();
    fields = fields.map(function (pair) { return pair[0] === "submission" ? [pair[0], fresh] : pair; });
    withStore("readwrite", function (store) {
      return store.add({ owner: owner, action: target, fields: fields, saved: Date.now() });
    }).then(showWaiting).then(function () { status.scrollIntoView({ block: "nearest" }); });
  });

  window.addEventListener("online", flush);
  showWaiting().then(flush);
})();
