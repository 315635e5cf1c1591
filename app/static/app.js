// CSRF token on every htmx request, taken from the page's <meta name="csrf-token">.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

// htmx's own settings are in base.html's <meta name="htmx-config">.

// When htmx gets no usable answer, say why in the flash area, in the page's language: the
// server's own message for an error status (its error page carries it in [data-error-message]),
// the texts on <body> when the network or the server's time ran out.
function showError(text) {
  var box = document.getElementById("flash-area");
  if (!box) { return; }
  box.innerHTML = '<div class="flash flash-error" role="alert"></div>';
  box.firstChild.textContent = text;
}
document.addEventListener("htmx:responseError", function (event) {
  var page = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html");
  var message = page.querySelector("[data-error-message]");
  showError(message ? message.textContent.trim() : document.body.dataset.msgError);
});
document.addEventListener("htmx:sendError", function () { showError(document.body.dataset.msgNetwork); });
document.addEventListener("htmx:timeout", function () { showError(document.body.dataset.msgTimeout); });

// Esc closes an inline form by clicking its cancel button.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") { return; }
  var form = event.target.closest && event.target.closest("form");
  var cancel = form && form.querySelector("[data-cancel]");
  if (cancel) { cancel.click(); }
});

// No inline handlers (CSP): buttons say what they do with data attributes.
// The print button: the case file's panels still waiting to load (below the fold) load first
// (event "load-panel", templates/macros/panels.html), then the page prints.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (!button) { return; }
  var shells = document.querySelectorAll("[data-panel-shell]");
  if (!shells.length || !window.htmx) { window.print(); return; }
  var printed = false;
  function loaded() { if (!document.querySelector("[data-panel-shell]")) { printOnce(); } }
  function printOnce() {
    if (printed) { return; }
    printed = true;
    document.removeEventListener("htmx:afterSettle", loaded);
    window.print();
  }
  document.addEventListener("htmx:afterSettle", loaded);
  window.setTimeout(printOnce, 5000);   // a panel that cannot load does not stop the print
  shells.forEach(function (shell) { window.htmx.trigger(shell, "load-panel"); });
});
// One confirmation per action, from one attribute: data-confirm on the form (or its button).
// An htmx form asks in htmx:confirm and sends only after "OK"; a plain form asks on submit.
// A form htmx has taken over arrives at "submit" already prevented: it is not asked twice.
function confirmationOf(elt) {
  return elt && elt.getAttribute ? elt.getAttribute("data-confirm") : null;
}
document.addEventListener("htmx:confirm", function (event) {
  var message = confirmationOf(event.detail.elt);
  if (!message) { return; }
  event.preventDefault();
  if (window.confirm(message)) { event.detail.issueRequest(true); }
});
document.addEventListener("submit", function (event) {
  if (event.defaultPrevented) { return; }
  var message = confirmationOf(event.submitter) || confirmationOf(event.target);
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// A panel that reloads itself after another panel's write (hx-trigger "x-changed from:body",
// core.htmx.announce) waits while it holds a form its user has typed into: nothing typed is
// lost, and that form's own answer (saved, or cancelled) brings the fresh panel.
function markEdited(event) {
  var form = event.target && (event.target.form || (event.target.closest && event.target.closest("form")));
  if (form) { form.setAttribute("data-edited", ""); }
}
document.addEventListener("input", markEdited);
document.addEventListener("change", markEdited);
document.addEventListener("htmx:confirm", function (event) {
  var trigger = event.detail.triggeringEvent;
  var panel = event.detail.elt;
  if (trigger && /-changed$/.test(trigger.type) && panel.querySelector
      && panel.querySelector("form[data-edited]")) {
    event.preventDefault();
  }
});

// After a form comes back with errors (422), put the cursor in the first field to correct
// (after htmx's own settle, which would otherwise focus the form's first field).
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail.elt;
  var bad = target && target.querySelector && target.querySelector('[aria-invalid="true"]');
  if (bad) { bad.focus(); }
});

// A "select all" box (data-check-all="<form id>") ticks or clears every box of that form
// (the supports verification queue's bulk verify).
document.addEventListener("change", function (event) {
  var box = event.target;
  var formId = box && box.getAttribute && box.getAttribute("data-check-all");
  if (!formId) { return; }
  document.querySelectorAll('input[type="checkbox"][form="' + formId + '"]').forEach(function (b) {
    if (!b.disabled) { b.checked = box.checked; }
  });
});

// The phone folds (<details data-unfold-wide>: the header's menu, the household filters) are
// shown open on a wide screen by app.css; a browser without ::details-content gets them
// opened here instead.
(function () {
  var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (supported || !window.matchMedia) { return; }
  if (window.matchMedia("(min-width: 721px)").matches) {
    document.querySelectorAll("details[data-unfold-wide]").forEach(function (d) { d.open = true; });
  }
})();

// The count on a filter fold's button ([data-filter-count]): the filters set (a chosen value
// other than "all", a ticked box; the sort order is not a filter).
document.addEventListener("change", function (event) {
  var fold = event.target && event.target.closest && event.target.closest("details.filters-fold");
  var count = fold && fold.querySelector("[data-filter-count]");
  if (!count) { return; }
  var n = 0;
  fold.querySelectorAll("select:not([name=sort])").forEach(function (s) { if (s.value) { n += 1; } });
  fold.querySelectorAll("input[type=checkbox]:checked").forEach(function () { n += 1; });
  count.textContent = String(n);
  count.hidden = n === 0;
});
