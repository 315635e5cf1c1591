"""The case file's supports panel (record, correct by reversal) and the evidence files.
Thin views: parse → scoped load → service → commit → render. The plan routes and the
verification queue live beside this module on the same blueprint."""
from flask import abort, request, send_file, url_for
from flask_babel import lazy_gettext as _
from flask_login import current_user

from app.core import audit, lookups
from app.core.htmx import page_panel, render, saved
from app.core.once import once
from app.core.loaders import loads
from app.extensions import db
from app.households.models import Household
from app.supports import files, plans, queries, services
from app.supports.blueprint import bp, editor_only, support_and_household
from app.supports.forms import ReasonForm, SupportForm
from app.supports.models import VERIFICATION_LABELS, Evidence

SUPPORTS_PAGE = "supports/supports_page.html"


def supports_panel_context(household, **extra) -> dict:
    """What supports/_supports_panel.html needs (keys prefixed `supports_`)."""
    rows = services.household_supports(household.id)
    items = {i.id: i for i in plans.household_items(household.id)}
    ctx = dict(supports_rows=rows, supports_totals=services.totals(household.id),
               supports_reversed={s.reverses_id for s in rows if s.reverses_id},
               supports_labels={kind: lookups.labels(kind) for kind in
                                ("support_type", "programme", "credit_programme")},
               supports_users=queries.user_names(
                   [s.recorded_by_id for s in rows] + [s.verified_by_id for s in rows]),
               supports_plan_items=items, supports_verification_labels=VERIFICATION_LABELS,
               supports_errors={}, supports_form=False)
    ctx.update(extra)
    return ctx


def _panel(household, status=200, **extra):
    return render(SUPPORTS_PAGE, "supports/_supports_panel.html", status, household=household,
                  **supports_panel_context(household, **extra))


def _saved(household):
    # No other panel of the case file shows supports; funds follow by signal (supports.signals).
    return saved(lambda: _panel(household), "supports-panel",
                 url_for("households.case_file", household_id=household.id) + "#supports-panel",
                 "supports-changed")


@bp.get("/households/<int:household_id>/")
@loads(household=Household)
@page_panel()
def supports_panel(household):
    return _panel(household)


def _uploads():
    return [f for f in request.files.getlist("evidence") if f and f.filename]


@bp.route("/households/<int:household_id>/new", methods=["GET", "POST"])
@editor_only
@once
@loads(household=Household)
def support_create(household):
    form = SupportForm()
    form.fill_choices(plans.household_items(household.id))
    kept = []   # the files of an earlier refused post, kept as pending uploads (files.hold)
    if request.method == "GET":
        form.plan_item_id.data = request.args.get("plan_item", "")
    else:
        kept, refused = _pending_files()
        valid = form.validate_on_submit()
        if refused:
            _add_error(form.evidence, _("Tệp đính kèm không hợp lệ hoặc đã hết hạn; vui lòng "
                                        "chọn lại tệp. Chưa có gì được lưu."))
        elif valid:
            try:
                support = services.record_support(household, form.data_for_service, current_user)
                for upload in _uploads():
                    services.attach_evidence(support, upload, current_user)
                for shown in kept:
                    with files.opened(shown["token"]) as upload:
                        services.attach_evidence(support, upload, current_user)
                db.session.commit()
                files.discard([f["token"] for f in kept])
                files.cleanup()
                return _saved(household)
            except (services.SupportRefused, files.FileRefused) as exc:
                db.session.rollback()
                field = getattr(form, getattr(exc, "field", None) or "evidence", None) \
                    or form.description
                _add_error(field, exc.message)
        kept += _hold_uploads(form)
    return render(SUPPORTS_PAGE, "supports/_support_form.html", 422 if form.errors else 200,
                  household=household, form=form, pending_files=kept,
                  **supports_panel_context(household, supports_form=True))


def _pending_files():
    """The pending uploads the form carries back and keeps (not ticked for removal), and the
    tokens refused (forged, another session's, expired). Ticked ones are removed now."""
    tokens = request.form.getlist("pending_evidence")
    dropped = set(request.form.getlist("pending_remove"))
    files.discard([t for t in tokens if t in dropped])
    return files.pending([t for t in tokens if t not in dropped])


def _hold_uploads(form) -> list[dict]:
    """The files of a refused post, checked and kept as pending so they need not be chosen
    again; a file refused by its content shows its error and is not kept."""
    held = []
    for upload in _uploads():
        try:
            upload.stream.seek(0)
            held.append(files.hold(upload))
        except files.FileRefused as exc:
            _add_error(form.evidence, exc.message)
    return held


def _add_error(field, message):
    if str(message) not in map(str, field.errors):
        field.errors = [*field.errors, message]


@bp.post("/<int:support_id>/reverse")
@editor_only
def reverse(support_id):
    support, household = support_and_household(support_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.reverse_support(support, form.reason.data, current_user)
            db.session.commit()
            return _saved(household)
        except services.SupportRefused as exc:
            db.session.rollback()
            message = exc.message
    else:
        message = "; ".join(str(e) for e in form.reason.errors)
    return _panel(household, 422, supports_errors={support.id: message})


@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id):
    """One evidence file, only if its support is in the user's scope (a sponsor: only its own
    supports in its assigned households). Served with its checked content type, nosniff, a
    safe file name; images inline, PDFs as a download."""
    row = db.session.get(Evidence, evidence_id)
    if row is None:
        abort(404)
    support_and_household(row.support_id)
    path = files.path_of(row.stored_name)
    if path is None or row.content_type not in files.KINDS:
        abort(404)
    audit.viewed("evidence", row.id)   # joins the view of its household (core.audit)
    response = send_file(path, mimetype=row.content_type, conditional=False,
                         as_attachment=row.content_type == "application/pdf",
                         download_name=files.download_name(row.original_name, row.content_type,
                                                           row.id))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
