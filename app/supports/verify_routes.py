"""The verification queue: pending supports in the officer's commune, verified or rejected
inline (the row is swapped, the counter refreshed out of band)."""
from flask import redirect, request, url_for
from flask_login import current_user

from app.core import audit
from app.core import lookups
from app.core.htmx import is_swap, render
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
        # Someone else decided first: 409 with the row as it stands now; a bad reason: 422.
        status = 409 if support.verification != "pending" else 422
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


@bp.post("/<int:support_id>/reject")
@editor_only
def reject(support_id):
    return _decide(support_id, "reject")
