// Keyboard shortcuts and live-queue niceties for the moderation dashboard.
// Everything here is an enhancement: every action is also a plain link or form.
(function () {
  "use strict";

  function pane() { return document.getElementById("item-pane"); }
  function entries() { return Array.from(document.querySelectorAll("#queue-list .queue-entry")); }
  function selectedIndex() {
    var card = pane() && pane().querySelector("[data-item-id]");
    var id = card ? card.getAttribute("data-item-id") : null;
    return entries().findIndex(function (li) { return li.getAttribute("data-item-id") === id; });
  }
  function markSelected() {
    var index = selectedIndex();
    entries().forEach(function (li, i) {
      li.classList.toggle("selected", i === index);
      var link = li.querySelector(".entry-link");
      if (link) { if (i === index) { link.setAttribute("aria-current", "true"); } else { link.removeAttribute("aria-current"); } }
    });
  }
  function open(index) {
    var list = entries();
    if (!list.length) { return; }
    index = Math.max(0, Math.min(list.length - 1, index));
    var link = list[index].querySelector(".entry-link");
    if (link) { link.click(); }
  }
  function click(selector) {
    var el = pane() && pane().querySelector(selector);
    if (el) { el.click(); }
  }
  function updateTitle() {
    var live = document.getElementById("live");
    if (!live) { return; }
    var urgent = parseInt(live.getAttribute("data-urgent-count") || "0", 10);
    var base = document.title.replace(/^\(\d+ urgent\) /, "");
    document.title = (urgent > 0 ? "(" + urgent + " urgent) " : "") + base;
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target.matches("[data-reject-reason]") && event.key === "Enter") {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.matches("input, textarea, select, [contenteditable]")) { return; }
    // One decision at a time: ignore keys while the pane is still loading the next item.
    if (pane() && pane().matches(".htmx-request, .htmx-settling, .htmx-swapping")) { return; }
    var index = selectedIndex();
    switch (event.key) {
      case "j": open(index + 1); break;
      case "k": open(index < 0 ? 0 : index - 1); break;
      case "a": click("[data-action=approve], [data-action=dismiss]"); break;
      case "r":
        var reason = pane() && pane().querySelector("[data-reject-reason]");
        if (reason) { reason.focus(); }
        break;
      case "e":
        var edit = pane() && pane().querySelector("[data-edit]");
        if (edit) { edit.open = true; var area = edit.querySelector("textarea"); if (area) { area.focus(); } }
        break;
      case "u": click("[data-action=escalate]"); break;
      case "x":
        if (index >= 0) { var box = entries()[index].querySelector("input[type=checkbox]"); if (box) { box.checked = !box.checked; } }
        break;
      case "h":
        var history = pane() && pane().querySelector("#author-history");
        if (history) { history.open = !history.open; }
        break;
      case "z": document.body.classList.toggle("focus-mode"); break;
      case "?":
        var dialog = document.getElementById("shortcuts");
        if (dialog && !dialog.open) { dialog.showModal(); }
        break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-shortcuts-open]")) {
      document.getElementById("shortcuts").showModal();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "item-pane") {
      // A refused decision comes back with its error summary: that is where to look first.
      var summary = event.detail.target.querySelector(".error-summary");
      var heading = document.getElementById("card-title");
      if (summary || heading) { (summary || heading).focus(); }
    }
    markSelected();
    updateTitle();
  });
  document.addEventListener("DOMContentLoaded", updateTitle);

  // A claim on an urgent item lapses after a minute without activity, so that an item left open
  // on an idle screen goes back to the team. While the moderator is working on the open card
  // (typing, clicking, scrolling, reading with the page in view), keep their claim alive.
  var lastActivity = Date.now();
  ["keydown", "pointerdown", "input", "scroll", "focusin"].forEach(function (name) {
    document.addEventListener(name, function () { lastActivity = Date.now(); }, { capture: true, passive: true });
  });
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"]; }
    catch (error) { return ""; }
  }
  window.setInterval(function () {
    var card = pane() && pane().querySelector("[data-claim-keepalive]");
    if (!card || document.visibilityState !== "visible" || Date.now() - lastActivity > 45000) { return; }
    window.fetch(card.getAttribute("data-claim-keepalive"), {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() }
    }).then(function (response) {
      if (response.status === 409 && !card.querySelector(".claim-lost")) {
        var note = document.createElement("p");
        note.className = "notice claim-lost";
        note.setAttribute("role", "status");
        note.textContent = card.getAttribute("data-claim-lost") || "";
        card.insertBefore(note, card.firstChild.nextSibling);
        card.removeAttribute("data-claim-keepalive");
      }
    });
  }, 20000);
})();
