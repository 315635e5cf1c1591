"""The verification queue: pending supports in the officer's commune, verified or rejected
inline (the row is swapped, the counter refreshed out of band)."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core import lookups
from app.core.htmx import is_swap, render
from app.core.text import format_date
from app.core.scoping import units_in_scope
from app.core.units import HAMLET
from app.extensions import db
from app.supports import queries, services
from app.supports.blueprint import bp, editor_only, support_and_household
from app.supports.forms import ReasonForm
from app.supports.models import VERIFICATION_LABELS


def _labels():
    return {kind: lookups.labels(kind) for kind in ("support_type", "credit_programme")}


def _queue(status=200, errors=None):
    hamlet = request.args.get("hamlet", type=int)
    rows = queries.pending_page(hamlet)
    audit.viewed_households(h.id for _s, h in rows)
    return render("supports/verify.html", "supports/verify.html", status, rows=rows,
                  pending_total=queries.pending_count(), hamlet=hamlet,
                  hamlets=db.session.scalars(units_in_scope(HAMLET)).all(),
                  labels=_labels(), limit=queries.QUEUE_LIMIT, errors=errors or {},
                  users=queries.user_names([s.recorded_by_id for s, _h in rows]),
                  verification_labels=VERIFICATION_LABELS)


@bp.get("/verify")
@editor_only
def verify_queue():
    return _queue()


def _decide(support_id, action):
    support, household = support_and_household(support_id)
    error, status = None, 200
    try:
        if action == "verify":
            services.verify(support, current_user)
        else:
            form = ReasonForm()
            if not form.validate_on_submit():
                raise services.SupportRefused("; ".join(str(e) for e in form.reason.errors), "reason")
            services.reject(support, form.reason.data, current_user)
        db.session.commit()
    except services.SupportRefused as exc:
        db.session.rollback()
        db.session.refresh(support)
        error = exc.message
        # Someone else decided first: 409 with the row as it stands now; one's own entry
        # (four eyes): 403; a bad reason: 422.
        status = (409 if support.verification != "pending"
                  else 403 if exc.field == "four_eyes" else 422)
    if not is_swap():
        if error:
            return _queue(status, {support.id: error})
        return redirect(url_for(".verify_queue"), code=303)
    return render("supports/verify.html", "supports/_verify_row.html", status, s=support,
                  h=household, labels=_labels(), errors={support.id: error} if error else {},
                  oob_count=True, pending_total=queries.pending_count(),
                  users=queries.user_names([support.recorded_by_id, support.verified_by_id]),
                  verification_labels=VERIFICATION_LABELS)


@bp.post("/<int:support_id>/verify")
@editor_only
def verify(support_id):
    return _decide(support_id, "verify")


@bp.post("/verify")
@editor_only
def verify_bulk():
    """Verify the ticked supports in one POST. Every id is loaded through the scope first (one
    outside it: 404, nothing written); each is then verified by the same service as one at a
    time (its own rules and audit row). One that can no longer be verified (decided meanwhile)
    is left as it is and named in the message; the others are committed together."""
    ids = list(dict.fromkeys(request.form.getlist("ids", type=int)))
    if not ids:
        flash(_("Chưa chọn khoản hỗ trợ nào để xác minh."), "error")
        return redirect(url_for(".verify_queue"), code=303)
    if len(ids) > queries.QUEUE_LIMIT:
        abort(400)
    loaded = [support_and_household(i) for i in ids]     # any id out of scope: 404 here
    done, refused = 0, []
    for support, household in loaded:
        try:
            services.verify(support, current_user)
            done += 1
        except services.SupportRefused as exc:
            refused.append((household.code, support.delivered_on, exc.message))
    db.session.commit()
    if done:
        flash(_("Đã xác minh %(n)s khoản hỗ trợ.", n=done), "success")
    for code, delivered_on, message in refused:
        flash(_("Khoản hỗ trợ của hộ %(code)s ngày %(date)s chưa được xác minh: %(reason)s",
                code=code, date=format_date(delivered_on), reason=message), "error")
    return redirect(url_for(".verify_queue"), code=303)


@bp.post("/<int:support_id>/reject")
@editor_only
def reject(support_id):
    return _decide(support_id, "reject")
