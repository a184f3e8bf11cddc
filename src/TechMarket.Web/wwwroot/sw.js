/*
 * TechMarket service worker.
 *
 * Strategy
 *  - install:   pre-cache the offline page, CSS, JS, manifest and icons.
 *  - navigate:  network-first; when the network fails, show /offline.html.
 *               HTML pages are NEVER stored (they may contain personal data).
 *  - Blazor enhanced-navigation fetches: not intercepted while online; when
 *               the browser reports offline, answer with a non-Blazor response
 *               so blazor.web.js falls back to a full page load, which then
 *               gets the offline page above. Nothing is stored.
 *  - /css/, /icons/, /js/ (+ the pre-cached files): cache-first.
 *  - Everything else (and /api/, /account/, POST, …): not touched.
 *
 * Bump VERSION whenever a pre-cached file changes (app.css, app.js, icons,
 * offline.html) so clients pick up the new copies; old caches are deleted
 * on activate.
 */
"use strict";

const VERSION = "v1";
const PREFIX = "techmarket-";
const STATIC_CACHE = `${PREFIX}static-${VERSION}`;
const RUNTIME_CACHE = `${PREFIX}runtime-${VERSION}`;
const RUNTIME_MAX_ENTRIES = 80;
const OFFLINE_URL = "/offline.html";

const PRECACHE = [
  OFFLINE_URL,
  "/css/app.css",
  "/js/app.js",
  "/manifest.webmanifest",
  "/favicon.ico",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
  "/icons/apple-touch-icon.png",
  "/icons/favicon-32.png",
];
const REQUIRED = new Set([OFFLINE_URL, "/css/app.css"]);

const CACHE_FIRST_PREFIXES = ["/css/", "/icons/", "/js/"];

// Never intercept / never store: APIs, authentication, account & admin
// areas, Blazor's own endpoints, health/metrics, and the worker itself.
const NEVER_CACHE_PREFIXES = [
  "/api/",
  "/account/",
  "/identity/",
  "/manage/",
  "/admin/",
  "/signin",
  "/signout",
  "/login",
  "/logout",
  "/connect/",
  "/.well-known/",
  "/_blazor",
  "/_framework/",
  "/health",
  "/metrics",
  "/scalar",
  "/openapi",
  "/sw.js",
];

function isNeverCache(path) {
  const p = path.toLowerCase();
  return NEVER_CACHE_PREFIXES.some((prefix) => p === prefix.replace(/\/$/, "") || p.startsWith(prefix));
}

function isCacheFirst(path) {
  return PRECACHE.includes(path) || CACHE_FIRST_PREFIXES.some((prefix) => path.startsWith(prefix));
}

function isEnhancedNavFetch(request) {
  // blazor.web.js sends  Accept: text/html; blazor-enhanced-nav=on
  return (request.headers.get("accept") || "").includes("blazor-enhanced-nav");
}

function isStorable(response) {
  if (!response || !response.ok || response.type !== "basic") return false;
  const cc = (response.headers.get("cache-control") || "").toLowerCase();
  return !cc.includes("no-store") && !cc.includes("private");
}

/* ------------------------------------------------------------------ install */

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(STATIC_CACHE);
      await Promise.all(
        PRECACHE.map(async (url) => {
          try {
            const response = await fetch(new Request(url, { cache: "reload", credentials: "same-origin" }));
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            await cache.put(url, response);
          } catch (err) {
            // The offline page and stylesheet are essential; the rest is best-effort.
            if (REQUIRED.has(url)) throw err;
          }
        })
      );
      await self.skipWaiting();
    })()
  );
});

/* ----------------------------------------------------------------- activate */

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([STATIC_CACHE, RUNTIME_CACHE]);
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith(PREFIX) && !keep.has(n)).map((n) => caches.delete(n)));
      if (self.registration.navigationPreload) {
        try { await self.registration.navigationPreload.enable(); } catch (_) { /* not supported */ }
      }
      await self.clients.claim();
    })()
  );
});

/* -------------------------------------------------------------------- fetch */

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;                 // POST/PUT/… go straight to the network
  if (request.headers.has("range")) return;
  if (request.headers.has("authorization")) return;

  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;      // third-party: leave alone

  if (request.mode === "navigate") {
    event.respondWith(networkFirstNavigation(event));
    return;
  }

  if (isEnhancedNavFetch(request)) {
    // Online: don't intercept at all (keeps Blazor's redirect handling untouched).
    // Offline: hand Blazor a response that makes it fall back to a full page load.
    if (self.navigator.onLine === false) event.respondWith(offlineEnhancedNavigation());
    return;
  }

  if (isNeverCache(url.pathname)) return;

  if (isCacheFirst(url.pathname)) {
    event.respondWith(cacheFirst(request, url));
  }
  // Anything else: default browser behaviour (network + HTTP cache).
});

async function networkFirstNavigation(event) {
  try {
    const preloaded = await event.preloadResponse;
    if (preloaded) return preloaded;
    return await fetch(event.request);
  } catch (_) {
    const offline = await caches.match(OFFLINE_URL, { cacheName: STATIC_CACHE });
    return offline || new Response("离线 / Offline", { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}

function offlineEnhancedNavigation() {
  // A 200 response without the "blazor-enhanced-nav: allow" header makes
  // blazor.web.js retry as a normal navigation, which then lands on the
  // offline page via networkFirstNavigation().
  return new Response("", {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "x-techmarket-offline": "1" },
  });
}

async function cacheFirst(request, url) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;

  const response = await fetch(request);
  if (isStorable(response)) {
    const copy = response.clone();
    const cacheName = PRECACHE.includes(url.pathname) && !url.search ? STATIC_CACHE : RUNTIME_CACHE;
    caches.open(cacheName).then(async (cache) => {
      await cache.put(request, copy);
      if (cacheName === RUNTIME_CACHE) await trim(cache, RUNTIME_MAX_ENTRIES);
    });
  }
  return response;
}

async function trim(cache, max) {
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - max; i++) await cache.delete(keys[i]);
}

self.addEventListener("message", (event) => {
  if (event.data === "SKIP_WAITING") self.skipWaiting();
});
