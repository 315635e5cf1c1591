"""Report deadlines as data. The admin keeps the default deadlines of each year (rows without a
unit); a district or province officer gives the units reporting to it deadlines of their own
(a blank date falls back to the default). Audited."""

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import clock
from app.core.guards import require_roles, roles_required
from app.core.htmx import render, saved
from app.core.units import COMMUNE, HAMLET
from app.core.users import Role
from app.extensions import db
from app.targets import periodic, queries
from app.targets.forms import DeadlineForm
from app.targets.models import REPORT_KIND_LABELS
from app.targets.services import MAX_YEAR, MIN_YEAR

bp = Blueprint("deadlines", __name__, url_prefix="/targets/deadlines")
require_roles(bp, Role.DISTRICT, Role.ADMIN)
admin_only = roles_required(Role.ADMIN)
district_only = roles_required(Role.DISTRICT)

PAGE = "targets/deadlines.html"


def _year(raw) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return clock.today().year
    return year if MIN_YEAR <= year <= MAX_YEAR else clock.today().year


def _years(selected: int) -> list[int]:
    this = clock.today().year
    return sorted({*periodic.deadline_years(), this, this + 1, selected}, reverse=True)


def _child_or_404(unit_id):
    """A unit reporting to the officer's own unit."""
    own = current_user.unit
    unit = queries.unit_in_scope(unit_id)
    if (own is None or unit is None or unit.parent_id != own.id or not unit.is_active
            or own.level in (COMMUNE, HAMLET)):
        abort(404)
    return unit


def _defaults_form(year, form=None):
    if form is not None:
        return form
    form = DeadlineForm(formdata=None, year=year)
    rows = periodic.default_deadlines(year)
    for kind in periodic.REPORT_KINDS:
        getattr(form, f"due_{kind}").data = rows[kind].due_on if kind in rows else None
    return form


def _context(year, form=None, editing=None, error=None):
    ctx = dict(year=year, years=_years(year), kinds=periodic.REPORT_KINDS,
               kind_labels=REPORT_KIND_LABELS, editing=editing, error=error, form=form,
               children=[], grid={}, unit=None)
    if current_user.role == Role.ADMIN:
        ctx["form"] = _defaults_form(year, form)
    elif current_user.unit is not None:
        ctx["unit"] = current_user.unit
        ctx["children"] = periodic.reporting_children(current_user.unit)
        ctx["grid"] = periodic.deadlines([c.id for c in ctx["children"]], year)
    return ctx


@bp.get("/")
def index():
    year = _year(request.args.get("year"))
    ctx = _context(year)
    if request.headers.get("HX-Target") == "deadlines-body":
        return render(PAGE, "targets/_deadlines.html", **ctx)
    return render(PAGE, PAGE, **ctx)


@bp.post("/defaults")
@admin_only
def defaults():
    form = DeadlineForm()
    error = None
    if form.validate_on_submit():
        year = form.year.data
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            form.year.errors.append(_("Năm không hợp lệ."))
        else:
            try:
                periodic.save_default_deadlines(year, form.dates(), current_user)
                db.session.commit()
            except periodic.ReportError as exc:
                db.session.rollback()
                error = exc.message
            else:
                return _saved(year)
    year = form.year.data if isinstance(form.year.data, int) and MIN_YEAR <= form.year.data <= MAX_YEAR \
        else clock.today().year
    return render(PAGE, "targets/_deadlines.html", 422, **_context(year, form=form, error=error))


def _saved(year):
    return saved(lambda: render(PAGE, "targets/_deadlines.html", **_context(year)), None,
                 url_for(".index", year=year))


@bp.route("/<int:unit_id>/<int:year>", methods=["GET", "POST"])
@district_only
def edit(unit_id, year):
    unit = _child_or_404(unit_id)
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(404)
    error = None
    if request.method == "GET":
        form = DeadlineForm(formdata=None, year=year)
        own = periodic.deadlines([unit.id], year)
        for kind in periodic.REPORT_KINDS:
            due, is_own = own.get((unit.id, kind), (None, False))
            getattr(form, f"due_{kind}").data = due if is_own else None
    else:
        form = DeadlineForm()
        if form.validate_on_submit():
            try:
                periodic.save_unit_deadlines(unit, year, form.dates(), current_user)
                db.session.commit()
            except periodic.ReportError as exc:
                db.session.rollback()
                error = exc.message
            else:
                return _saved(year)
    status = 422 if request.method == "POST" else 200
    return render(PAGE, "targets/_deadlines.html", status,
                  **_context(year, form=form, editing=unit, error=error))
