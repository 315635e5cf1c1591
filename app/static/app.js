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
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) { window.print(); }
});
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// After a form comes back with errors (422), put the cursor in the first field to correct
// (after htmx's own settle, which would otherwise focus the form's first field).
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail.elt;
  var bad = target && target.querySelector && target.querySelector('[aria-invalid="true"]');
  if (bad) { bad.focus(); }
});
