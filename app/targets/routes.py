"""Targets per unit and year, set by the level above, and the progress dashboard.

Everyone reads the targets and progress of their own area (commune and district officers,
mass organizations); only the officer of a unit sets the targets of its children (a province
officer also records the province's own). A unit outside that is a 404."""

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.htmx import render, saved
from app.core.units import HAMLET, LEVEL_LABELS
from app.core.versioning import StaleEdit
from app.extensions import db
from app.targets import charts, queries, services
from app.targets.blueprint import bp, setters_only, unit_from_query, year_choices
from app.targets.forms import MODE_CHOICES, TargetForm
from app.targets.models import TARGET_KIND_LABELS
from app.targets.queries import KINDS


def _year(raw) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return clock.today().year
    return year if services.MIN_YEAR <= year <= services.MAX_YEAR else clock.today().year


# Targets ------------------------------------------------------------------------------------

def _targets_context(unit, year, editing=None, form=None, stale=None, errors=None):
    rows, totals = queries.progress_rows(unit, year)
    if unit.level == HAMLET:
        rows = []
    own = services.parent_targets(unit, year)
    own_counts = {k: queries.effective_count(own[k]) for k in KINDS}
    base = totals.start     # the unit's households of each kind at the start of the year
    return dict(unit=unit, year=year, years=year_choices(year), rows=rows, own=own, own_counts=own_counts,
                baseline=base, check=services.consistency(own_counts, rows) if rows else None,
                can_set_children=services.can_set_children(current_user, unit),
                can_set_own=services.can_set_own(current_user, unit),
                breadcrumb=queries.ancestors_in_scope(unit, current_user),
                editing=editing, form=form, stale=stale, errors=errors or [],
                kinds=KINDS, kind_labels=TARGET_KIND_LABELS, mode_labels=dict(MODE_CHOICES),
                level_labels=LEVEL_LABELS, consistency_labels=services.CONSISTENCY_LABELS,
                format_bp=services.format_bp, effective=queries.effective_count)


@bp.get("/")
def index():
    unit, year = unit_from_query(request.args.get("unit")), _year(request.args.get("year"))
    ctx = _targets_context(unit, year)
    if request.headers.get("HX-Target") == "targets-table":
        return render("targets/index.html", "targets/_table.html", **ctx)
    return render("targets/index.html", "targets/index.html", **ctx)


@bp.route("/<int:unit_id>/<int:year>/edit", methods=["GET", "POST"])
@setters_only
def edit(unit_id, year):
    unit = services.settable_unit(current_user, unit_id)
    if unit is None or not services.MIN_YEAR <= year <= services.MAX_YEAR:
        abort(404)
    page_unit = current_user.unit
    existing = services.parent_targets(unit, year)
    form, stale, errors = TargetForm(), None, []
    if request.method == "GET":
        form = TargetForm(formdata=None)
        form.fill(existing)
    elif form.validate_on_submit():
        try:
            services.save_targets(unit, year, form.values, form.versions(), form.note.data or "",
                                  current_user, area=page_unit)
            db.session.commit()
        except services.TargetError as exc:
            db.session.rollback()
            field = getattr(form, exc.field, None)
            (field.errors.append(exc.message) if field is not None else errors.append(exc.message))
        except (StaleEdit, IntegrityError) as exc:
            db.session.rollback()
            stale = exc.changes if isinstance(exc, StaleEdit) else {}
            fresh = TargetForm(formdata=None)
            fresh.fill(services.parent_targets(unit, year))
            for kind in KINDS:   # the next save overwrites knowingly
                getattr(form, f"{kind}_version").data = getattr(fresh, f"{kind}_version").data
        else:
            return saved(lambda: render("targets/index.html", "targets/_table.html",
                                        **_targets_context(page_unit, year)),
                         None, url_for(".index", unit=page_unit.id, year=year))
    status = 409 if stale is not None else (422 if form.errors or errors else 200)
    ctx = _targets_context(page_unit, year, editing=unit.id, form=form, stale=stale, errors=errors)
    return render("targets/index.html", "targets/_table.html", status, **ctx)


# Progress -----------------------------------------------------------------------------------

@bp.get("/progress")
def progress():
    unit, year = unit_from_query(request.args.get("unit")), _year(request.args.get("year"))
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else "poor"
    years = queries.trend_years(unit, year)
    standing = queries.standing_by_year(unit, {*years, *(y - 1 for y in years)})
    rows, totals = queries.progress_rows(unit, year, standing=standing)
    own = services.parent_targets(unit, year)
    totals_target = queries.effective_count(own[kind])
    points = queries.trend(unit, year, kind, standing=standing, years=years)
    ctx = dict(unit=unit, year=year, years=year_choices(year), kind=kind, rows=rows, totals=totals,
               own_target=totals_target, own=own, kinds=KINDS, kind_labels=TARGET_KIND_LABELS,
               count_labels=queries.COUNT_LABELS,
               decided=queries.has_decisions(unit, year), bars=charts.bars(rows, kind),
               trend=charts.trend(points, kind), points=points,
               breadcrumb=queries.ancestors_in_scope(unit, current_user),
               level_labels=LEVEL_LABELS, format_bp=services.format_bp, HAMLET=HAMLET,
               list_status="near_poor" if kind == "near_poor" else "poor")
    if request.headers.get("HX-Target") == "progress-body":
        return render("targets/progress.html", "targets/_progress.html", **ctx)
    return render("targets/progress.html", "targets/progress.html", **ctx)


def household_list_args(unit, list_status: str, kind: str) -> dict:
    """Query-string of the household list for the households of `unit` still on the list."""
    args = {"status": list_status}
    if kind == "merit_poor":
        args["flag"] = "merit"
    if unit.level == HAMLET:
        args.update(commune=unit.parent_id, hamlet=unit.id)
    elif unit.level == "commune":
        args["commune"] = unit.id
    return args


@bp.app_template_global()
def targets_household_url(unit, list_status, kind):
    return url_for("households.index", **household_list_args(unit, list_status, kind))
