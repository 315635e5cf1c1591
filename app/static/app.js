// CSRF token on every htmx request, taken from the page's <meta name="csrf-token">.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

// htmx's own settings are in base.html's <meta name="htmx-config">.

document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("flash-area");
  if (!box) { return; }
  var status = event.detail.xhr.status;
  var text = status === 404 ? "Không tìm thấy hồ sơ." :
             status === 403 ? "Bạn không có quyền thực hiện thao tác này." :
             status === 400 ? "Phiên làm việc đã hết hạn. Hãy tải lại trang." :
             "Đã có lỗi (" + status + "). Vui lòng thử lại.";
  box.innerHTML = '<div class="flash flash-error" role="alert"></div>';
  box.firstChild.textContent = text;
});

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
