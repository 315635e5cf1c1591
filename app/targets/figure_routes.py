"""Yearly figures of the units under the officer's unit: households at the end of a review
year (frozen, entered or counted), poor and near-poor households and their rates, and the
households expected next year; the officer of the unit above enters totals and projections,
the commune officer freezes the year ("chốt số liệu năm").

GET  /targets/figures?unit=&year=                 the figures of a review year
GET|POST /targets/figures/<unit_id>/<year>/edit   a child unit's entered total and projection
POST /targets/figures/<year>/freeze                the commune officer's own commune"""
from flask import abort, request, url_for
from flask_login import current_user

from app.core.clock import today
from app.core.guards import roles_required
from app.core.htmx import render, saved
from app.core.units import HAMLET, LEVEL_LABELS
from app.core.users import Role
from app.extensions import db
from app.reports.arithmetic import format_bp, format_rate, rate
from app.reports.common import child_units
from app.targets import figure_services, figures, queries, services
from app.targets.blueprint import bp, setters_only, unit_from_query, year_choices
from app.targets.forms import FiguresForm

PAGE, PARTIAL = "targets/figures.html", "targets/_figures.html"


def _review_year(raw) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return today().year - 1
    return year if services.MIN_YEAR <= year <= services.MAX_YEAR else today().year - 1


def _context(unit, year, editing=None, form=None, errors=None):
    found = figures.year_figures(unit, year)
    children = [] if unit.level == HAMLET else child_units(unit, found.children.get(unit.id, []))
    ids = [c.id for c in children]
    totals = figure_services.entered_many(ids, year)
    plans = figure_services.projections_many(ids, year + 1)
    return dict(unit=unit, year=year, years=year_choices(year), rows=[(c, found.of(c.id)) for c in children],
                own=found.of(unit.id), totals=totals, plans=plans,
                frozen=figures.frozen_row(unit, year),
                can_freeze=figure_services.can_freeze(current_user, unit),
                can_set=services.can_set_children(current_user, unit),
                breadcrumb=queries.ancestors_in_scope(unit, current_user), level_labels=LEVEL_LABELS,
                editing=editing, form=form, errors=errors or [], rate=rate, format_rate=format_rate,
                format_bp=format_bp)


@bp.get("/figures")
def figures_page():
    unit, year = unit_from_query(request.args.get("unit")), _review_year(request.args.get("year"))
    partial = PARTIAL if request.headers.get("HX-Target") == "figures-table" else PAGE
    return render(PAGE, partial, **_context(unit, year))


@bp.route("/figures/<int:unit_id>/<int:year>/edit", methods=["GET", "POST"])
@setters_only
def figures_edit(unit_id, year):
    unit = services.settable_unit(current_user, unit_id)
    if unit is None or unit.id == current_user.unit.id or not services.MIN_YEAR <= year <= services.MAX_YEAR:
        abort(404)
    page_unit, form, errors = current_user.unit, FiguresForm(), []
    if request.method == "GET":
        form = FiguresForm(formdata=None)
        form.fill(*figure_services.entered(unit, year))
    elif form.validate_on_submit():
        try:
            figure_services.save(unit, year, form.total, form.projection, form.note.data or "",
                                 current_user)
            db.session.commit()
        except figure_services.FigureError as exc:
            db.session.rollback()
            field = getattr(form, exc.field, None)
            (field.errors.append(exc.message) if field is not None else errors.append(exc.message))
        else:
            return saved(lambda: render(PAGE, PARTIAL, **_context(page_unit, year)), None,
                         url_for(".figures_page", unit=page_unit.id, year=year))
    status = 422 if form.errors or errors else 200
    return render(PAGE, PARTIAL, status, **_context(page_unit, year, unit.id, form, errors))


@bp.post("/figures/<int:year>/freeze")
@roles_required(Role.COMMUNE)
def figures_freeze(year):
    unit = current_user.unit
    if unit is None or not figure_services.can_freeze(current_user, unit) \
            or not services.MIN_YEAR <= year <= services.MAX_YEAR:
        abort(404)
    try:
        figure_services.freeze(unit, year, current_user)
        db.session.commit()
    except figure_services.FigureError as exc:
        db.session.rollback()
        return render(PAGE, PARTIAL, 422, **_context(unit, year, errors=[exc.message]))
    return saved(lambda: render(PAGE, PARTIAL, **_context(unit, year)), None,
                 url_for(".figures_page", unit=unit.id, year=year))
