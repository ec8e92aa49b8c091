{% load static %}// Rebound's service worker (served at /sw.js by clinic/views/offline.py).
// It keeps the app shell (our own static files) and, for a signed-in patient, the pages the
// server marks with "X-Rebound-Offline: patient" (Today and the daily-log form): those are
// fetched from the network first and shown from the cache only when there is no network.
// Nothing else is ever stored: staff pages and other people's data pass straight through.
"use strict";

var SHELL = "rebound-shell-{{ version }}";
var PAGES = "rebound-pages";
var STATIC_PREFIX = "{% get_static_prefix %}";
var SHELL_FILES = {{ shell_files|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_FILES); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("rebound-shell-") === 0 && name !== SHELL;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "signed-out") {
    event.waitUntil(caches.delete(PAGES));
  }
});

function fromShell(request) {
  return caches.match(request, { cacheName: SHELL, ignoreSearch: true }).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.headers.get("Clear-Site-Data")) {
      return caches.delete(PAGES).then(function () { return response; });
    }
    if (response.ok && response.headers.get("X-Rebound-Offline") === "patient") {
      var copy = response.clone();
      return caches.open(PAGES).then(function (cache) { return cache.put(request, copy); })
        .then(function () { return response; });
    }
    return response;
  }, function (error) {
    return caches.match(request, { cacheName: PAGES }).then(function (hit) {
      if (hit) return hit;
      throw error;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(fromShell(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});
