/*
 * TechMarket — small progressive enhancement. No framework, no build step.
 * Everything here is optional: every page must work without it.
 *
 *  - registers /sw.js (https or localhost only)
 *  - re-runs page hooks after Blazor enhanced navigation ('enhancedload')
 *  - closes the mobile nav drawer (#nav-toggle) on navigation / Escape
 *  - opens <details class="filters"> on desktop widths
 *  - window.techmarket.toast(message, kind, options) — kind: info|success|warning|error
 *  - toasts when the connection drops / comes back
 *
 * Include once, at the end of <body>, ideally after blazor.web.js:
 *   <script src="_framework/blazor.web.js"></script>
 *   <script src="/js/app.js" defer></script>
 */
(function () {
  "use strict";

  var tm = (window.techmarket = window.techmarket || {});
  if (tm.__initialised) return; // guard against double inclusion
  tm.__initialised = true;

  var DESKTOP = "(min-width: 900px)";
  var KINDS = { info: 1, success: 1, warning: 1, error: 1 };
  var DEFAULT_TIMEOUT = 5000;

  /* ---------------------------------------------------------------- toast */

  function isChinese() {
    var lang = (document.documentElement.getAttribute("lang") || "zh").toLowerCase();
    return lang.indexOf("zh") === 0;
  }

  // The layout may render <div id="toast-stack" class="toast-stack" aria-live="polite"></div>
  // (recommended: the live region then exists before the first message); otherwise it's created.
  function getStack() {
    var stack = document.getElementById("toast-stack");
    if (!stack) {
      stack = document.createElement("div");
      stack.id = "toast-stack";
      stack.className = "toast-stack";
      stack.setAttribute("aria-live", "polite");
      stack.setAttribute("aria-relevant", "additions");
      document.body.appendChild(stack);
    }
    return stack;
  }

  function dismiss(toast) {
    if (!toast || toast.__leaving) return;
    toast.__leaving = true;
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (reduce) { toast.remove(); return; }
    toast.classList.add("is-leaving");
    setTimeout(function () { toast.remove(); }, 220);
  }

  function scheduleDismiss(toast, ms) {
    if (!(ms > 0)) return;
    var timer = setTimeout(function () { dismiss(toast); }, ms);
    // Don't vanish while the user is reading / interacting with it.
    function pause() { clearTimeout(timer); }
    function resume() { clearTimeout(timer); timer = setTimeout(function () { dismiss(toast); }, 2000); }
    toast.addEventListener("mouseenter", pause);
    toast.addEventListener("focusin", pause);
    toast.addEventListener("mouseleave", resume);
    toast.addEventListener("focusout", resume);
  }

  /**
   * Show a toast.
   * @param {string} message  plain text (never HTML)
   * @param {string} [kind]   "info" | "success" | "warning" | "error"
   * @param {{timeout?: number}} [options] timeout in ms; 0 keeps it until closed.
   *        Errors default to staying until closed.
   * @returns {HTMLElement} the toast element
   */
  tm.toast = function (message, kind, options) {
    kind = KINDS[kind] ? kind : "info";
    options = options || {};
    var timeout = typeof options.timeout === "number" ? options.timeout : (kind === "error" ? 0 : DEFAULT_TIMEOUT);

    var toast = document.createElement("div");
    toast.className = "toast toast-" + kind;
    // Errors interrupt (assertive); others are announced politely via the stack.
    if (kind === "error") toast.setAttribute("role", "alert");

    var text = document.createElement("div");
    text.className = "toast-message";
    text.textContent = String(message == null ? "" : message);

    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", isChinese() ? "关闭" : "Close");
    close.textContent = "×";

    toast.appendChild(text);
    toast.appendChild(close);
    getStack().appendChild(toast);
    scheduleDismiss(toast, timeout);
    return toast;
  };

  tm.dismissToast = dismiss;

  // Close buttons on any toast (including server-rendered ones).
  document.addEventListener("click", function (e) {
    var btn = e.target && e.target.closest && e.target.closest(".toast-close");
    if (btn) dismiss(btn.closest(".toast"));
  });

  /* ------------------------------------------------------------ navigation */

  function closeNav() {
    var toggle = document.getElementById("nav-toggle");
    if (toggle && toggle.checked) toggle.checked = false;
  }
  tm.closeNav = closeNav;

  // Clicking a link inside the drawer closes it straight away (before the
  // enhanced navigation round-trip finishes).
  document.addEventListener("click", function (e) {
    var link = e.target && e.target.closest && e.target.closest(".site-nav a, .header-actions a");
    if (link) closeNav();
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var toggle = document.getElementById("nav-toggle");
    if (toggle && toggle.checked) {
      toggle.checked = false;
      var label = document.querySelector('label[for="nav-toggle"]');
      toggle.focus();
      if (label && document.activeElement !== toggle) label.focus();
    }
  });

  /* --------------------------------------------------------------- filters */

  function syncFilters() {
    if (!window.matchMedia || !window.matchMedia(DESKTOP).matches) return;
    var list = document.querySelectorAll("details.filters:not([data-keep-closed])");
    for (var i = 0; i < list.length; i++) list[i].open = true;
  }

  if (window.matchMedia) {
    var mq = window.matchMedia(DESKTOP);
    var onChange = function () { syncFilters(); if (mq.matches) closeNav(); };
    if (mq.addEventListener) mq.addEventListener("change", onChange);
    else if (mq.addListener) mq.addListener(onChange);
  }

  /* ---------------------------------------------------- server-side toasts */

  // <div class="toast toast-success" data-timeout="5000">…</div> rendered by
  // the server disappears on its own once JS is available.
  function initServerToasts() {
    var list = document.querySelectorAll(".toast[data-timeout]:not([data-tm-init])");
    for (var i = 0; i < list.length; i++) {
      list[i].setAttribute("data-tm-init", "");
      scheduleDismiss(list[i], parseInt(list[i].getAttribute("data-timeout"), 10));
    }
  }

  /* ------------------------------------------------------------ page hooks */

  function onPage() {
    closeNav();
    syncFilters();
    initServerToasts();
    var hooks = tm.pageHooks;
    for (var i = 0; i < hooks.length; i++) {
      try { hooks[i](); } catch (err) { if (window.console) console.error(err); }
    }
  }
  /** Register a function that runs on first load and after every enhanced navigation. */
  tm.pageHooks = tm.pageHooks || [];
  tm.addPageHook = function (fn) { if (typeof fn === "function") tm.pageHooks.push(fn); };

  var blazorHooked = false;
  function hookBlazor() {
    if (blazorHooked) return true;
    var B = window.Blazor;
    if (B && typeof B.addEventListener === "function") {
      B.addEventListener("enhancedload", onPage);
      blazorHooked = true;
    }
    return blazorHooked;
  }

  // blazor.web.js may load before or after this file; try now and later.
  hookBlazor();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { hookBlazor(); onPage(); });
  } else {
    onPage();
  }
  window.addEventListener("load", hookBlazor);

  // Back/forward cache restores: make sure the drawer isn't left open.
  window.addEventListener("pageshow", function (e) { if (e.persisted) closeNav(); });

  /* ------------------------------------------------------ connectivity */

  window.addEventListener("offline", function () {
    tm.toast(isChinese() ? "网络连接已断开，部分功能暂时不可用。" : "You are offline. Some features are unavailable.", "warning");
  });
  window.addEventListener("online", function () {
    // On the offline fallback page, just try again.
    if (document.documentElement.hasAttribute("data-offline-page")) { location.reload(); return; }
    tm.toast(isChinese() ? "网络已恢复。" : "You are back online.", "success");
  });

  /* -------------------------------------------------------- service worker */

  function canRegisterSw() {
    if (!("serviceWorker" in navigator)) return false;
    var host = location.hostname;
    var local = host === "localhost" || host === "127.0.0.1" || host === "[::1]" || host === "::1" || /\.localhost$/.test(host);
    return location.protocol === "https:" || local;
  }

  function registerSw() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (err) {
      if (window.console) console.warn("[techmarket] service worker registration failed:", err);
    });
  }

  if (canRegisterSw()) {
    if (document.readyState === "complete") registerSw();
    else window.addEventListener("load", registerSw);
  }
})();
