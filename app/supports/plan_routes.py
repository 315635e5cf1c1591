"""The case file's plan panel (inline create / edit, draft from the latest review) and the
plan list across the user's area. Thin views: parse → scoped load → service → commit → render."""

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit, clock
from app.core.htmx import page_panel, render, saved
from app.core.once import once
from app.core.loaders import loads
from app.core.scoping import get_scoped_or_404, units_in_scope
from app.core.units import HAMLET
from app.core.versioning import StaleEdit
from app.extensions import db
from app.households.models import Household
from app.supports import plans, queries
from app.supports.blueprint import bp, editor_only
from app.supports.forms import DraftForm, PlanItemForm, default_due, sponsor_choices
from app.supports.models import PLAN_STATUS_LABELS, PlanItem

PLAN_PAGE = "supports/plan_page.html"
PLAN_LIST_PAGE = 100   # a printable page of the area's plan list


def plan_panel_context(household, **extra) -> dict:
    """What supports/_plan_panel.html needs (keys prefixed `plan_`). The case file loads the
    panel from this blueprint (supports.plan_panel)."""
    review = plans.latest_review(household.id)
    items, today = plans.household_items(household.id), clock.today()
    ctx = dict(plan_items=items, plan_today=today,
               plan_overdue=sum(1 for i in items if i.is_overdue(today)),
               plan_status_labels=PLAN_STATUS_LABELS,
               plan_can_draft=bool(review and (review.deprivations or review.causes)),
               plan_error=None)
    ctx.update(extra)
    return ctx


def _panel(household, status=200, **extra):
    return render(PLAN_PAGE, "supports/_plan_panel.html", status, household=household,
                  **plan_panel_context(household, **extra))


def _saved(household):
    """After a write: the refreshed panel for htmx (replacing the whole panel, not only the
    form that was posted), a redirect to the case file for a plain form post. The supports
    panel names plan items: it listens for plan-changed."""
    return saved(lambda: _panel(household), "plan-panel",
                 url_for("households.case_file", household_id=household.id) + "#plan-panel",
                 "plan-changed")


def _form_page(household, form, item=None, status=200, stale=None):
    return render(PLAN_PAGE, "supports/_plan_form.html", status, household=household,
                  form=form, item=item, stale=stale,
                  field_labels={f.name: f.label.text for f in form},
                  **plan_panel_context(household, plan_form=True))


def _refused(form, exc):
    field = getattr(form, exc.field or "", None) or form.action
    field.errors = [*field.errors, exc.message]


@bp.get("/households/<int:household_id>/plan")
@loads(household=Household)
@page_panel()
def plan_panel(household):
    return _panel(household)


@bp.route("/households/<int:household_id>/plan/new", methods=["GET", "POST"])
@editor_only
@once
@loads(household=Household)
def plan_item_create(household):
    form = PlanItemForm()
    form.fill_choices(plans.needs(household))
    if request.method == "GET":
        form.need.data = request.args.get("need", "")
        form.due_on.data = default_due()
        form.responsible_name.data = current_user.full_name
    elif form.validate_on_submit():
        try:
            plans.create_item(household, form.data_for_service, current_user)
            db.session.commit()
            return _saved(household)
        except plans.PlanRefused as exc:
            db.session.rollback()
            _refused(form, exc)
    return _form_page(household, form, status=422 if form.errors else 200)


def _household_of(item):
    return get_scoped_or_404(Household, item.household_id)


@bp.route("/plan/<int:plan_item_id>/edit", methods=["GET", "POST"])
@editor_only
@loads(plan_item=PlanItem)
def plan_item_edit(plan_item):
    item, household = plan_item, _household_of(plan_item)
    form = PlanItemForm(obj=item)
    form.fill_choices(plans.needs(household))
    stale = None
    if request.method == "GET":
        form.need.data = f"{item.need_kind}:{item.need_code}"
        form.responsible_sponsor_id.data = str(item.responsible_sponsor_id or "")
        form.version.data = item.version
    elif form.validate_on_submit():
        try:
            plans.update_item(item, household, form.data_for_service, form.version.data,
                              current_user)
            db.session.commit()
            return _saved(household)
        except StaleEdit as exc:
            db.session.rollback()
            item = get_scoped_or_404(PlanItem, item.id)
            stale = {k: _shown(k, v) for k, v in exc.changes.items()}
            form.version.data = item.version
        except plans.PlanRefused as exc:
            db.session.rollback()
            _refused(form, exc)
    status = 409 if stale is not None else (422 if form.errors else 200)
    return _form_page(household, form, item, status, stale)


def _shown(field, value):
    """A saved value as the stale notice shows it."""
    if field == "due_on" and value:
        return value.strftime("%d/%m/%Y")
    if field == "status":
        return _(PLAN_STATUS_LABELS.get(value, value))
    if field == "responsible_sponsor_id" and value:
        return dict(sponsor_choices("")).get(str(value), value)
    return value


@bp.route("/households/<int:household_id>/plan/draft", methods=["GET", "POST"])
@editor_only
@loads(household=Household)
def plan_draft(household):
    suggestions = plans.suggestions(household)
    form = DraftForm()
    form.accepted.choices = [(str(s.id), s.action) for s in suggestions]
    error = None
    if request.method == "GET":
        form.accepted.data = [str(s.id) for s in suggestions if not s.planned]
        form.due_on.data = default_due()
        form.responsible_name.data = current_user.full_name
    elif form.validate_on_submit():
        try:
            plans.accept(household, form.accepted.data, form.due_on.data,
                         form.responsible_name.data, current_user)
            db.session.commit()
            return _saved(household)
        except plans.PlanRefused as exc:
            db.session.rollback()
            error = exc.message
    status = 422 if (form.errors or error) else 200
    return render(PLAN_PAGE, "supports/_plan_draft.html", status, household=household,
                  form=form, suggestions=suggestions, draft_error=error,
                  **plan_panel_context(household, plan_form=True))


# The plan list across the area ----------------------------------------------------------------

@bp.get("/plan")
def plan_list():
    params = queries.PlanListParams.from_args(request.args)
    page_size = max(current_app.config["PAGE_SIZE"], PLAN_LIST_PAGE)
    rows, total = queries.plan_list(params, page_size)
    audit.viewed_households(h.id for _item, h in rows)
    ctx = dict(rows=rows, total=total, params=params, page_size=page_size, today=clock.today(),
               hamlets=db.session.scalars(units_in_scope(HAMLET)).all(),
               sponsors=sponsor_choices(_("Tất cả")), status_labels=PLAN_STATUS_LABELS,
               overdue_total=queries.overdue_count())
    if request.headers.get("HX-Target") == "plan-results":
        return render("supports/plan_list.html", "supports/_plan_results.html", **ctx)
    return render("supports/plan_list.html", "supports/plan_list.html", **ctx)
