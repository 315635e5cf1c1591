"""The sponsor portal (/sponsor/): a sponsor's own households, minimal data only, and the
supports it logs for them. Phone first. Sponsors only; the scope (core.scoping) limits every
read to the households of its active assignments."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit, clock, lookups
from app.core.guards import require_roles
from app.core.htmx import is_swap, render
from app.core.once import once
from app.core.scoping import get_scoped_or_404
from app.core.users import Role
from app.extensions import db
from app.households.models import Household
from app.sponsors import portal_queries as pq
from app.sponsors.forms import PortalSupportForm
from app.supports.models import PLAN_STATUS_LABELS, VERIFICATION_LABELS
from app.supports.services import SupportRefused, attach_evidence, record_support

bp = Blueprint("portal", __name__, url_prefix="/sponsor")
require_roles(bp, Role.SPONSOR)


def _labels():
    return dict(verification_labels=VERIFICATION_LABELS, plan_labels=PLAN_STATUS_LABELS,
                type_labels=lookups.labels("support_type"))


@bp.get("/")
def home():
    cards = pq.home_cards()
    audit.viewed_households(c.id for c in cards)
    return render("sponsors/portal/home.html", "sponsors/portal/home.html",
                  cards=cards, linked=current_user.sponsor_id is not None)


@bp.get("/households/<int:household_id>")
def household(household_id):
    hh = get_scoped_or_404(Household, household_id)   # records the view (core.audit)
    rows = pq.supports(hh.id)
    return render("sponsors/portal/household.html", "sponsors/portal/household.html",
                  card=pq.household_card(hh), supports=rows, totals=pq.totals(rows), **_labels())


@bp.route("/households/<int:household_id>/supports/new", methods=["GET", "POST"])
@once
def support_new(household_id):
    hh = get_scoped_or_404(Household, household_id)
    plan_items = {str(p.id): p for p in pq.open_plan_items(hh.id)}
    form = PortalSupportForm()
    form.fill_choices(plan_items.values())
    error = None
    if request.method == "GET":
        form.delivered_on.data = clock.today()
    if form.validate_on_submit():
        item = plan_items.get(form.plan_item_id.data) if form.plan_item_id.data else None
        if form.plan_item_id.data and item is None:   # never offered: not this sponsor's
            abort(404)
        try:
            support = record_support(hh, {
                "delivered_on": form.delivered_on.data, "type_code": form.type_code.data,
                "description": form.description.data, "quantity": form.quantity.data,
                "unit": form.unit.data, "value_vnd": form.value_vnd.data,
                # Fixed for a sponsor: its own money or goods, provided by itself.
                "funding_source_code": "sponsor", "provider_sponsor_id": current_user.sponsor_id,
                "plan_item_id": item.id if item else None}, current_user)
            if form.evidence.data:
                attach_evidence(support, form.evidence.data, current_user)
            db.session.commit()
        except SupportRefused as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "", None)
            if field is None:
                error = exc.message
            else:
                field.errors = [*field.errors, exc.message]
        else:
            flash(_("Đã ghi nhận hỗ trợ. Cán bộ xã sẽ xác minh."), "success")
            target = url_for(".household", household_id=hh.id)
            if is_swap():   # htmx would follow a 303 inside its request: send the browser on
                return "", 200, {"HX-Redirect": target, "Vary": "HX-Request"}
            return redirect(target, code=303)
    return render("sponsors/portal/support_new.html", "sponsors/portal/_support_form.html",
                  422 if form.errors or error else 200, form=form, error=error,
                  card=pq.household_card(hh))


@bp.get("/history")
def history():
    rows = pq.supports()
    # ?verification=pending|rejected: only those (the home page's links); totals stay whole.
    state = request.args.get("verification")
    state = state if state in pq.VERIFICATION_STATES else ""
    shown = [s for s in rows if s.verification == state] if state else rows
    heads = pq.head_names({s.household_id for s in shown})
    audit.viewed_households(heads)
    return render("sponsors/portal/history.html", "sponsors/portal/history.html",
                  supports=shown, totals=pq.totals(rows), heads=heads, state=state, **_labels())
