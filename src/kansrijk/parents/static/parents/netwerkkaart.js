// The network map (Netwerkkaart): everything stays in this browser.
// The map is kept in localStorage only; no request carries it (tests/e2e checks the network
// log). A service worker (/ouders/sw.js) keeps this page for when the connection drops.
(function () {
  "use strict";
  var app = document.querySelector("[data-netmap]");
  if (!app) { return; }
  var key = app.getAttribute("data-storage-key");
  var form = app.querySelector("[data-netmap-add]");
  var nameInput = form.querySelector("#nm-name");
  var error = form.querySelector("[data-netmap-error]");
  var status = app.querySelector("[data-netmap-status]");
  var people = app.querySelector("svg [data-people]");
  var personTemplate = app.querySelector("template[data-netmap-person]");
  var SVG = "http://www.w3.org/2000/svg";
  var RADIUS = { close: 42, further: 84 };
  var labels = {};
  form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
    labels[box.value] = box.getAttribute("data-help-label");
  });
  function text(name) {
    var template = app.querySelector("template[data-netmap-" + name + "]");
    return template ? template.content.textContent.trim() : "";
  }

  function load() {
    try {
      var data = JSON.parse(window.localStorage.getItem(key) || "[]");
      return Array.isArray(data) ? data.filter(function (p) {
        return p && typeof p.name === "string" && (p.circle === "close" || p.circle === "further");
      }) : [];
    } catch (e) { return []; }
  }
  function save(list) {
    try { window.localStorage.setItem(key, JSON.stringify(list)); } catch (e) { /* private mode: kept on the page only */ }
  }
  var map = load();

  function render() {
    ["close", "further"].forEach(function (circle) {
      var list = app.querySelector("[data-list=" + circle + "]");
      var empty = app.querySelector("[data-empty=" + circle + "]");
      list.textContent = "";
      var members = map.filter(function (p) { return p.circle === circle; });
      members.forEach(function (person) {
        var item = personTemplate.content.firstElementChild.cloneNode(true);
        item.querySelector("[data-name]").textContent = person.name;
        var helps = (person.helps || []).map(function (code) { return labels[code]; }).filter(Boolean);
        item.querySelector("[data-helps]").textContent = helps.length ? ": " + helps.join(", ") : "";
        item.querySelector("[data-remove-name]").textContent = " " + person.name;
        item.querySelector("[data-remove]").addEventListener("click", function () {
          map = map.filter(function (p) { return p.id !== person.id; });
          save(map);
          render();
          status.textContent = text("removed") + " " + person.name;
          nameInput.focus();
        });
        list.appendChild(item);
      });
      empty.hidden = members.length > 0;
    });
    people.textContent = "";
    ["close", "further"].forEach(function (circle) {
      var members = map.filter(function (p) { return p.circle === circle; });
      members.forEach(function (person, index) {
        var angle = (2 * Math.PI * index) / Math.max(members.length, 1) + (circle === "close" ? 0.6 : 0.25);
        var x = Math.round(Math.cos(angle) * RADIUS[circle] * 10) / 10;
        var y = Math.round(Math.sin(angle) * RADIUS[circle] * 10) / 10;
        var dot = document.createElementNS(SVG, "circle");
        dot.setAttribute("class", "po-netmap__dot po-netmap__dot--" + circle);
        dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", 3.5);
        var label = document.createElementNS(SVG, "text");
        label.setAttribute("class", "po-netmap__name");
        // Keep the name inside the picture (the outer circle reaches the edge).
        label.setAttribute("x", Math.max(-82, Math.min(82, x))); label.setAttribute("y", y + 11);
        label.setAttribute("text-anchor", "middle");
        label.textContent = person.name.length > 14 ? person.name.slice(0, 13) + "…" : person.name;
        people.appendChild(dot);
        people.appendChild(label);
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = nameInput.value.trim().slice(0, 40);
    if (!name) {
      error.hidden = false;
      nameInput.setAttribute("aria-invalid", "true");
      nameInput.focus();
      return;
    }
    error.hidden = true;
    nameInput.removeAttribute("aria-invalid");
    var circle = form.querySelector("input[name=nm-circle]:checked").value;
    var helps = [];
    form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) { helps.push(box.value); box.checked = false; });
    map.push({ id: String(Date.now()) + "-" + String(Math.random()).slice(2, 8), name: name, circle: circle, helps: helps });
    save(map);
    render();
    status.textContent = text("added") + " " + name;
    nameInput.value = "";
    nameInput.focus();
  });

  app.querySelector("[data-netmap-clear]").addEventListener("click", function () {
    if (map.length && !window.confirm(text("confirm"))) { return; }
    map = [];
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    render();
    status.textContent = text("cleared");
  });

  app.hidden = false;
  document.querySelectorAll("[data-netmap-nojs]").forEach(function (el) { el.hidden = true; });
  render();

  // Keep this page and its files for when the connection drops (same origin only).
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(app.getAttribute("data-sw") || "/ouders/sw.js", { scope: "/ouders/" }).catch(function () {});
  }
  if ("caches" in window && window.isSecureContext) {
    var files = [window.location.pathname];
    document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=icon]").forEach(function (el) {
      var url = new URL(el.getAttribute("href") || el.getAttribute("src"), window.location.href);
      if (url.origin === window.location.origin) { files.push(url.pathname); }
    });
    window.caches.open("kansrijk-ouders-v1").then(function (cache) { return cache.addAll(files); }).catch(function () {});
  }
}());
