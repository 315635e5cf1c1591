"""Periodic reports (6-month, 9-month, annual): states against deadlines, the report page
(frozen numbers once submitted, live numbers before), the submit step, and consolidation of
the children's submissions for a district or province.

Officers and mass organizations read the reports of their area; a commune or district officer
submits the report of their own unit only."""
from datetime import date, datetime

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.guards import require_roles, roles_required
from app.core.htmx import is_swap, render
from app.core.units import COMMUNE, DISTRICT, PROVINCE
from app.core.users import Role
from app.extensions import db
from app.reviews.overview import user_names
from app.targets import periodic, queries
from app.targets.forms import SubmitForm
from app.targets.models import REPORT_KIND_LABELS
from app.targets.services import MAX_YEAR, MIN_YEAR

bp = Blueprint("periodic", __name__, url_prefix="/targets/reports")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)
submitters_only = roles_required(Role.COMMUNE, Role.DISTRICT)
# The role that submits a unit's report, by the unit's level.
SUBMITTER = {COMMUNE: Role.COMMUNE, DISTRICT: Role.DISTRICT, PROVINCE: Role.DISTRICT}
COLUMNS = ("households", "poor", "near_poor", "merit_poor", "escaped", "relapsed", "newly_poor",
           "target_poor", "reduction_poor", "target_near_poor", "reduction_near_poor",
           "target_merit_poor", "reduction_merit_poor")


def today() -> date:
    return clock.today()


def _year(raw) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return today().year
    return year if MIN_YEAR <= year <= MAX_YEAR else today().year


def _years(selected: int) -> list[int]:
    return sorted({*periodic.deadline_years(), today().year, selected}, reverse=True)


def can_submit(user, unit) -> bool:
    return (user.unit is not None and user.unit.id == unit.id and unit.is_active
            and SUBMITTER.get(unit.level) == user.role)


def _report_unit(unit_id, year, kind):
    unit = queries.unit_in_scope(unit_id)
    if (unit is None or kind not in periodic.REPORT_KINDS or not MIN_YEAR <= year <= MAX_YEAR
            or unit.level not in SUBMITTER):
        abort(404)
    return unit


@bp.get("/")
def index():
    unit = current_user.unit
    if unit is None:
        abort(404)
    year = _year(request.args.get("year"))
    own = periodic.statuses([unit], year, today()) if unit.level in SUBMITTER else {}
    children = periodic.reporting_children(unit)
    grid = periodic.statuses(children, year, today())
    todo = request.args.get("todo") == "1"   # only what needs doing (the home page's link)
    if todo:
        own = {key: s for key, s in own.items() if periodic.to_do(s)}
        children = periodic.late_units(children, grid)
    ctx = dict(unit=unit, year=year, years=_years(year), own=own, children=children, grid=grid,
               todo=todo, soon_days=periodic.DUE_SOON_DAYS,
               kinds=periodic.REPORT_KINDS, kind_labels=REPORT_KIND_LABELS,
               state_labels=periodic.STATE_LABELS, can_submit=can_submit(current_user, unit))
    if request.headers.get("HX-Target") == "reports-body":
        return render("targets/reports.html", "targets/_reports.html", **ctx)
    return render("targets/reports.html", "targets/reports.html", **ctx)


def _report_context(unit, year, kind, form=None, error=None):
    state = periodic.status(unit, year, kind, today())
    submission = state.submission
    live = None if submission else periodic.build_snapshot(unit, year, kind)
    consolidation = (periodic.consolidate(unit, year, kind, today())
                     if periodic.reporting_children(unit) else None)
    allowed = can_submit(current_user, unit) and submission is None
    if allowed and form is None:
        form = SubmitForm(formdata=None)
    snapshot = submission.snapshot if submission else live
    return dict(unit=unit, year=year, kind=kind, state=state, submission=submission,
                as_of=datetime.fromisoformat(snapshot["as_of"]),
                snapshot=snapshot, live=live is not None,
                consolidation=consolidation, form=form if allowed else None, error=error,
                submitter=user_names([submission.submitted_by_id]).get(submission.submitted_by_id)
                if submission else None,
                columns=COLUMNS, kind_labels=REPORT_KIND_LABELS, state_labels=periodic.STATE_LABELS)


@bp.get("/<int:unit_id>/<int:year>/<kind>")
def show(unit_id, year, kind):
    unit = _report_unit(unit_id, year, kind)
    return render("targets/report.html", "targets/report.html", **_report_context(unit, year, kind))


@bp.post("/<int:unit_id>/<int:year>/<kind>/submit")
@submitters_only
def submit(unit_id, year, kind):
    unit = _report_unit(unit_id, year, kind)
    if not can_submit(current_user, unit):
        abort(404)
    form = SubmitForm()
    error = None
    if form.validate_on_submit():
        try:
            periodic.submit(unit, year, kind, current_user, form.note.data or "")
            db.session.commit()
        except periodic.ReportError as exc:
            db.session.rollback()
            error = exc.message
        except IntegrityError:      # submitted by someone else at the same moment
            db.session.rollback()
            error = periodic.already_submitted_message()
        else:
            target = url_for(".show", unit_id=unit.id, year=year, kind=kind)
            if is_swap():
                response = render("targets/report.html", "targets/_report_body.html",
                                  **_report_context(unit, year, kind))
                response.headers["HX-Push-Url"] = target
                return response
            return redirect(target, code=303)
    ctx = _report_context(unit, year, kind, form=form, error=error)
    if error and ctx["form"] is None:   # already submitted: the frozen report, refused
        ctx["error"] = error
    return render("targets/report.html", "targets/_report_body.html", 422, **ctx)
