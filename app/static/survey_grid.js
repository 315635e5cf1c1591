// Bulk survey grid (templates/reviews/grid): each row is a small form whose inputs join it by
// their form attribute. Tab moves along the row; Enter saves the row and, once it is saved,
// moves to the next row; a row that comes back with an error keeps the focus.
(function () {
  if (window.surveyGridReady) { return; }
  window.surveyGridReady = true;

  function firstInput(row) {
    return row && row.querySelector("input:not([type=hidden]):not([disabled])");
  }

  function nextEditableRow(row) {
    for (var r = row && row.nextElementSibling; r; r = r.nextElementSibling) {
      if (firstInput(r)) { return r; }
    }
    return null;
  }

  // Enter on a checkbox saves the row too (text inputs submit their form by themselves).
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.form || !input.form.hasAttribute("data-grid-row")) { return; }
    if (input.type === "checkbox") {
      event.preventDefault();
      input.form.requestSubmit();
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute || !form.hasAttribute("data-grid-row")) { return; }
    var id = form.getAttribute("data-grid-row");
    var ok = event.detail.xhr.status === 200;
    // After htmx has swapped the row in (settle), move on or stay on the row to correct.
    window.setTimeout(function () {
      var row = document.getElementById("grid-row-" + id);
      if (!row) { return; }
      var target = ok ? firstInput(nextEditableRow(row)) :
        (row.querySelector('[aria-invalid="true"]') || firstInput(row));
      if (target) { target.focus(); if (target.select) { target.select(); } }
    }, 40);
  });
})();
