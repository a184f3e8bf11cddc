// Live order pages (buyer tracking, seller console, operator monitor): listens on /hubs/orders and refreshes the
// page's [data-live-region] parts in place; the seller console also shows a toast when an order is paid.
(function () {
  "use strict";
  var root = document.querySelector("[data-orders-live]");
  if (!root || !window.signalR) { return; }
  var mode = root.getAttribute("data-orders-live");
  var orderId = root.getAttribute("data-order-id");
  var pending = null;

  function refresh() {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-live-region]").forEach(function (el) {
            var fresh = doc.querySelector("[data-live-region='" + el.getAttribute("data-live-region") + "']");
            if (fresh) { el.replaceWith(fresh); }
          });
        });
    }, mode === "monitor" ? 1500 : 200);
  }

  function toast(text, kind) {
    var stack = document.querySelector(".toast-stack");
    if (!stack) {
      stack = document.createElement("div");
      stack.className = "toast-stack";
      document.body.appendChild(stack);
    }
    var t = document.createElement("div");
    t.className = "toast toast-" + (kind || "info");
    t.setAttribute("role", "status");
    t.setAttribute("data-testid", "order-toast");
    var m = document.createElement("div");
    m.className = "toast-message";
    m.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", root.getAttribute("data-close-label") || "×");
    close.textContent = "×";
    close.addEventListener("click", function () { t.remove(); });
    t.appendChild(m);
    t.appendChild(close);
    stack.appendChild(t);
  }

  function template(name, change) {
    var text = root.getAttribute("data-text-" + name) || "";
    return text.replace("{0}", change.number).replace("{1}", change.amount.toFixed ? change.amount.toFixed(2) : change.amount).replace("{2}", change.title);
  }

  var connection = new signalR.HubConnectionBuilder().withUrl("/hubs/orders").withAutomaticReconnect().build();
  connection.on("orderChanged", function (change) {
    if (mode === "order" && change.orderId !== orderId) { return; }
    if (mode === "console") {
      if (change.kind === "paid") { toast(template("paid", change), "success"); }
      else if (change.kind === "created") { toast(template("created", change), "info"); }
    }
    if (mode === "order" && change.kind === "price-changed") { toast(template("price", change), "warning"); }
    refresh();
  });
  connection.onreconnected(refresh);
  connection.start().then(function () { root.setAttribute("data-live-connected", "true"); }).catch(function () { root.setAttribute("data-live-connected", "false"); });
})();
