// CSRF token on every htmx request, taken from the page's <meta name="csrf-token">.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});

// Validation errors (422) and stale edits (409) come back as the form to swap in place.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "409", swap: true },
  { code: "422", swap: true },
  { code: "[45]..", swap: false, error: true }
];
// Pages holding personal data stay out of htmx's localStorage history cache.
htmx.config.historyCacheSize = 0;
htmx.config.refreshOnHistoryMiss = true;

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
