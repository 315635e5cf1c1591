"""The sponsor directory (officers) and the case file's sponsor panel (assign, end).
Thin views: parse → scoped load → service → commit → render."""

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit, clock
from app.core.guards import require_roles, roles_required
from app.core.htmx import page_panel, render, saved
from app.core.once import once
from app.core.loaders import loads
from app.core.scoping import get_scoped_or_404, units_in_scope
from app.core.units import HAMLET
from app.core.users import Role
from app.extensions import db
from app.households.models import Household
from app.sponsors import queries, services
from app.sponsors.forms import AssignForm, EndAssignmentForm, SponsorForm
from app.sponsors.models import KIND_LABELS, Assignment

bp = Blueprint("sponsors", __name__, url_prefix="/sponsors")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)
editor_only = roles_required(Role.COMMUNE)
directory_editor = roles_required(Role.COMMUNE, Role.DISTRICT)


# Directory ----------------------------------------------------------------------------------

@bp.get("/")
def index():
    params = queries.DirectoryParams.from_args(request.args)
    page_size = current_app.config["PAGE_SIZE"]
    rows, total, counts = queries.directory_page(params, page_size)
    ctx = dict(rows=rows, total=total, counts=counts, params=params, page_size=page_size,
               kind_labels=KIND_LABELS, can_edit=current_user.role in (Role.COMMUNE, Role.DISTRICT))
    if request.headers.get("HX-Target") == "sp-results":
        return render("sponsors/list.html", "sponsors/_results.html", **ctx)
    return render("sponsors/list.html", "sponsors/list.html", **ctx)


def _home_units():
    """Where a new sponsor may be based: the officer's own unit or one under it (not hamlets)."""
    return [u for u in db.session.scalars(units_in_scope()) if u.level != HAMLET]


def _editable(sponsor) -> bool:
    unit = current_user.unit
    return (current_user.role in (Role.COMMUNE, Role.DISTRICT) and unit is not None
            and sponsor.home_unit.path.startswith(unit.path))


def _sponsor_form(sponsor=None):
    form = SponsorForm(obj=sponsor)
    units = _home_units()
    form.fill_choices(units)
    if request.method == "GET":
        if sponsor is not None:
            form.home_unit_id.data = str(sponsor.home_unit_id)
        elif current_user.unit is not None:
            form.home_unit_id.data = str(current_user.unit.id)   # the officer's own commune
    return form, {str(u.id): u for u in units}


def _save(form, units, sponsor=None):
    home = units.get(form.home_unit_id.data)
    if home is None:     # SelectField already refuses ids outside the choices
        abort(404)
    saved = services.save_sponsor(sponsor, form.data, home)
    db.session.commit()
    return redirect(url_for(".show", sponsor_id=saved.id), code=303)


@bp.route("/new", methods=["GET", "POST"])
@directory_editor
@once
def create():
    form, units = _sponsor_form()
    if form.validate_on_submit():
        return _save(form, units)
    return render("sponsors/form.html", "sponsors/form.html", 422 if form.errors else 200,
                  form=form, sponsor=None)


@bp.get("/<int:sponsor_id>")
def show(sponsor_id):
    sponsor = queries.sponsor_or_404(sponsor_id)
    rows = queries.sponsor_households(sponsor.id)
    audit.viewed_households(a.household_id for a, _code, _head in rows)
    return render("sponsors/show.html", "sponsors/show.html", sponsor=sponsor,
                  rows=rows, today=clock.today(),
                  can_edit=_editable(sponsor))


@bp.route("/<int:sponsor_id>/edit", methods=["GET", "POST"])
@directory_editor
def edit(sponsor_id):
    sponsor = queries.sponsor_or_404(sponsor_id)
    if not _editable(sponsor):   # visible in the province, but based outside the officer's area
        abort(403)
    form, units = _sponsor_form(sponsor)
    if form.validate_on_submit():
        return _save(form, units, sponsor)
    return render("sponsors/form.html", "sponsors/form.html", 422 if form.errors else 200,
                  form=form, sponsor=sponsor)


# The case file's panel ------------------------------------------------------------------------

def _unique_ids(form, prefix):
    """Several forms share the case page: give their inputs unique ids, keep the names."""
    for f in form:
        f.id = f.label.field_id = f"{prefix}{f.name}"
    return form


def sponsor_panel_context(household, assign_form=None, end_form=None, end_id=None,
                          error=None) -> dict:
    """What sponsors/_household_panel.html needs (keys prefixed `sponsor_`). The case file loads
    the panel from this blueprint (sponsors.panel)."""
    assignments = queries.household_assignments(household.id)
    current = [a for a in assignments if a.ends_on is None]
    ctx = dict(sponsor_current=current, sponsor_past=[a for a in assignments if a.ends_on is not None],
               sponsor_today=clock.today(), sponsor_error=error, sponsor_assign_form=None,
               sponsor_end_forms={}, sponsor_end_open=end_id)
    if not current_user.can_edit_cases:
        return ctx
    if assign_form is None:
        assign_form = AssignForm(formdata=None)
        assign_form.starts_on.data = clock.today()
    assign_form.fill_choices(queries.assignable_sponsors())
    ctx["sponsor_assign_form"] = _unique_ids(assign_form, "sp-assign-")
    for a in current:
        form = end_form if a.id == end_id and end_form is not None else None
        if form is None:
            form = EndAssignmentForm(formdata=None)
            form.ends_on.data = clock.today()
        form.version.data = a.version
        ctx["sponsor_end_forms"][a.id] = _unique_ids(form, f"sp-end-{a.id}-")
    return ctx


def _panel(household, status=200, **kwargs):
    return render("sponsors/panel_page.html", "sponsors/_household_panel.html", status,
                  household=household, **sponsor_panel_context(household, **kwargs))


def _saved(household):
    return saved(lambda: _panel(household), "sponsors-panel",
                 url_for("households.case_file", household_id=household.id) + "#sponsors-panel",
                 "sponsors-changed")


@bp.get("/households/<int:household_id>/panel")
@loads(household=Household)
@page_panel()
def panel(household):
    return _panel(household)


@bp.post("/households/<int:household_id>/assign")
@editor_only
@once
@loads(household=Household)
def assign(household):
    form = AssignForm()
    sponsors = {str(s.id): s for s in queries.assignable_sponsors()}
    form.fill_choices(sponsors.values())
    if form.validate_on_submit():
        sponsor = sponsors.get(form.sponsor_id.data)
        if sponsor is None:   # the choices are the scope: anything else was never offered
            abort(404)
        try:
            services.assign(household, sponsor, form.starts_on.data, form.commitment.data,
                            current_user)
            db.session.commit()
            return _saved(household)
        except services.AssignmentRefused as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
    return _panel(household, 422, assign_form=form)


@bp.post("/assignments/<int:assignment_id>/end")
@editor_only
@loads(assignment=Assignment)
def end(assignment):
    # The household through its own scope too: a deleted household's assignments are gone.
    household = get_scoped_or_404(Household, assignment.household_id)
    form = EndAssignmentForm()
    status, error = 422, None
    if form.validate_on_submit():
        try:
            services.end_assignment(assignment, form.ends_on.data, form.reason.data,
                                    form.version.data)
            db.session.commit()
            return _saved(household)
        except services.StaleEdit:
            db.session.rollback()
            status = 409
            error = _("Phân công vừa được người khác cập nhật; thao tác của bạn chưa được lưu. "
                      "Tình trạng hiện tại ở bảng dưới.")
            form = None
        except services.AssignmentRefused as exc:
            db.session.rollback()
            if exc.field == "reason":   # already ended: its form is no longer shown
                error = exc.message
            else:
                getattr(form, exc.field).errors.append(exc.message)
    return _panel(household, status, end_form=form, end_id=assignment.id, error=error)
