// Long posts are kept in this browser while they are written, so a crash, a closed tab or a lost
// connection never loses them. An enhancement only: without JavaScript every form still works,
// and a refused form always comes back from the server with what was typed.
//
// - Forms marked data-autosave keep each text field in localStorage as it is typed, with the
//   form's one-time submission key.
// - Back on the form with the field empty, the text (and that key) is put back, so sending it
//   again cannot make a second post if the first one did get through.
// - Cleared once the server says the form was saved: the harbour_sent cookie names the key (plain
//   posts), or htmx reports the request succeeded.
(function () {
  "use strict";
  var PREFIX = "harbour-draft:";
  var WEEK = 7 * 24 * 3600 * 1000;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function slot(form, field) {
    return PREFIX + form.getAttribute("action") + ":" + field.name;
  }
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text"));
    });
  }
  function keyOf(form) {
    var input = form.querySelector("input[name=submission_key]");
    return input ? input.value : "";
  }
  function read(store, name) {
    try { return JSON.parse(store.getItem(name) || "null"); } catch (e) { return null; }
  }
  function forget(store, test) {
    for (var i = store.length - 1; i >= 0; i--) {
      var name = store.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        var draft = read(store, name);
        if (!draft || test(draft)) { store.removeItem(name); }
      }
    }
  }
  function sentKey() {
    var match = document.cookie.match(/(?:^|; )harbour_sent=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function watch(form, store) {
    var timer = null;
    function save() {
      fields(form).forEach(function (field) {
        if (field.value.trim()) {
          store.setItem(slot(form, field), JSON.stringify({ text: field.value, key: keyOf(form), at: Date.now() }));
        } else {
          store.removeItem(slot(form, field));
        }
      });
    }
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 400);
    });
    form.addEventListener("submit", save);
  }

  function restore(form, store) {
    var restored = false;
    fields(form).forEach(function (field) {
      var draft = read(store, slot(form, field));
      if (draft && draft.text && !field.value.trim()) {
        field.value = draft.text;
        restored = true;
        var key = form.querySelector("input[name=submission_key]");
        if (key && draft.key) { key.value = draft.key; }
      }
    });
    if (restored && !form.querySelector(".draft-restored")) {
      var note = document.createElement("p");
      note.className = "notice draft-restored";
      note.setAttribute("role", "status");
      note.textContent = form.getAttribute("data-autosave-restored") || "";
      form.insertBefore(note, form.firstChild);
    }
  }

  function start(root) {
    var store = storage();
    if (!store) { return; }
    Array.prototype.forEach.call(root.querySelectorAll("form[data-autosave]"), function (form) {
      if (form.hasAttribute("data-autosave-on")) { return; }
      form.setAttribute("data-autosave-on", "");
      restore(form, store);
      watch(form, store);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var store = storage();
    if (store) {
      var sent = sentKey();
      forget(store, function (draft) {
        return (sent && draft.key === sent) || Date.now() - draft.at > WEEK;
      });
      if (sent) { document.cookie = "harbour_sent=; Max-Age=0; Path=/; SameSite=Lax"; }
    }
    start(document);
  });
  // htmx: a form that was saved is cleared; a swapped-in form (a fresh reply form) is watched.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;  // the form's own request, not the live check of its text
    var store = storage();
    if (form && form.tagName === "FORM" && form.hasAttribute("data-autosave") && store &&
        event.detail.successful) {
      var key = keyOf(form);
      forget(store, function (draft) { return draft.key === key; });
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) { start(event.target); });
})();
