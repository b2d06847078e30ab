// Service worker for the parent pages: keeps the network map (and the files it needs) so it
// opens without a connection. It caches only same-origin GET requests of the map pages and
// the static files; it never sees the map itself, which lives in localStorage.
"use strict";
var CACHE = "kansrijk-ouders-v1";
var MAP = /^\/ouders\/[a-z]{2}\/netwerkkaart\/(leeg\/)?$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("kansrijk-ouders-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (!MAP.test(url.pathname) && url.pathname.indexOf("/static/") !== 0) { return; }
  // The network first (fresh text and files), the kept copy when the connection is gone.
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (kept) { return kept || Response.error(); });
    })
  );
});
