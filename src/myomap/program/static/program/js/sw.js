// The portal's service worker: keeps the last copy of the program page (and its
// scripts) so that the phone can open it briefly offline; log entries made offline wait
// in the page's own queue (offline-queue.js), not here. Pages are fetched from the
// network first: the cached copy is used only when the network fails.
var CACHE = "myomap-portal-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (!(url.pathname.indexOf("/me/") === 0 || url.pathname.indexOf("/static/") === 0)) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || Response.error(); });
    })
  );
});
