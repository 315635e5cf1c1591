"""Household list, case file and member panel. Thin views: parse → scoped load → service."""
from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.core import audit, lookups
from app.core.guards import require_roles, roles_required
from app.core.htmx import is_swap, page_panel, page_view_token, render, saved
from app.core.once import once
from app.core.loaders import loads
from app.core.scoping import get_scoped_or_404, unit_in_scope_or_none, units_in_scope
from app.core.units import COMMUNE, HAMLET, AdminUnit
from app.core.users import Role
from app.extensions import db
from app.households import services
from app.households.forms import DeleteForm, HouseholdForm, MemberForm, NewHouseholdForm
from app.households.models import Household, Member
from app.households.queries import (SORT_LABELS, STANDING_FILTERS, ListParams, flag_labels,
                                   list_page)
from app.reviews.labels import TRANSITION_LABELS

bp = Blueprint("households", __name__, url_prefix="/households")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)
editor_only = roles_required(Role.COMMUNE)


def _hamlets():
    return db.session.scalars(units_in_scope(HAMLET)).all()


def _hamlet_groups():
    """The list's hamlet filter: [(commune name, [(id, name), …]), …]. A district or province
    officer chooses among hundreds of hamlets, many with the same name: grouped by commune,
    read as plain columns (a province's ~1,000 hamlets as objects cost more than its page)."""
    hamlets = units_in_scope(HAMLET).subquery()
    commune = aliased(AdminUnit)
    groups: dict[str, list] = {}
    for hamlet_id, name, commune_name in db.session.execute(
            select(hamlets.c.id, hamlets.c.name, commune.name)
            .join(commune, commune.id == hamlets.c.parent_id)
            .order_by(commune.name, commune.id, hamlets.c.name)):
        groups.setdefault(commune_name, []).append((hamlet_id, name))
    return list(groups.items())


def _lookup_labels():
    return lookups.labels_of("relationship", "ethnicity", "schooling", "work_status",
                             "merit_category", "merit_relation", "merit_benefit", "policy_group")


@bp.get("/")
def index():
    params = ListParams.from_args(request.args, current_user)
    found = list_page(params, current_app.config["PAGE_SIZE"])
    audit.viewed_households(h.id for h in found.rows)
    ctx = dict(rows=found.rows, total=found.total, capped=found.capped, params=params,
               page_size=current_app.config["PAGE_SIZE"],
               flag_labels=flag_labels(current_user), sort_labels=SORT_LABELS,
               status_labels=STANDING_FILTERS, transition_labels=TRANSITION_LABELS,
               commune=unit_in_scope_or_none(params.commune, COMMUNE) if params.commune else None)
    # The search box and filters target only the results; anything else gets the page.
    if request.headers.get("HX-Target") == "hh-results":
        return render("households/list.html", "households/_results.html", **ctx)
    return render("households/list.html", "households/list.html",
                  hamlet_groups=_hamlet_groups(), **ctx)


@bp.route("/new", methods=["GET", "POST"])
@editor_only
@once
def create():
    form = NewHouseholdForm()
    form.fill_choices(_hamlets())
    if form.validate_on_submit():
        hamlet = unit_in_scope_or_none(form.hamlet_id.data, HAMLET)
        if hamlet is None:
            abort(404)
        try:
            household = services.create_household(
                form.data, hamlet, {"sex": form.head_sex.data, "birth_year": form.head_birth_year.data})
            db.session.commit()
        except services.RefusedChange as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            return redirect(url_for(".case_file", household_id=household.id), code=303)
    from app.households.codes import suggest_code   # kept inside the view (shared module)
    suggested = suggest_code()
    if request.method == "GET" and not form.code.data:
        form.code.data = suggested
    status = 422 if form.errors else 200
    return render("households/new.html", "households/new.html", status, form=form,
                  suggested_code=suggested)


# The case file is a page of panels, each loaded from its own domain's URL (see
# households/case.html): this blueprint serves the page, the household's summary and members;
# reviews, exits, the plan, supports and sponsors serve their own. Each partial runs only its
# own queries.

def _context(household, page=False, **own):
    """A partial gets its own context; the page (asked for, or without JavaScript, or a
    refused plain form post) the page's too. The page's other panels load themselves."""
    ctx = dict(household=household, labels=_lookup_labels())
    if page or not is_swap():
        ctx.update(members=services.active_members(household.id), delete_form=DeleteForm(),
                   page_view=page_view_token(household))
    ctx.update(own)
    return ctx


def _summary(household):
    """The summary with the page's header out of band: both show the household's row."""
    return render("households/case.html", "households/_summary_swap.html",
                  **_context(household))


@bp.get("/<int:household_id>")
@loads(household=Household)   # records the view (core.audit); the page's panels join it
def case_file(household):
    return render("households/case.html", "households/case.html", **_context(household, True))


@bp.get("/<int:household_id>/summary")
@loads(household=Household)
@page_panel()
def summary(household):
    return _summary(household)


@bp.route("/<int:household_id>/edit", methods=["GET", "POST"])
@editor_only
@loads(household=Household)
def edit(household):
    form = HouseholdForm(obj=household)
    form.fill_choices(_hamlets())
    stale = None
    if request.method == "GET":
        form.hamlet_id.data = str(household.hamlet_id)
        form.version.data = household.version
    elif form.validate_on_submit():
        hamlet = unit_in_scope_or_none(form.hamlet_id.data, HAMLET)
        if hamlet is None:
            abort(404)
        try:
            services.update_household(household, form.data, hamlet, form.version.data)
            db.session.commit()
            # Nothing else on the page shows what this form edits; the header comes with.
            return saved(lambda: _summary(household), None,
                         url_for(".case_file", household_id=household.id))
        except services.StaleEdit as exc:
            db.session.rollback()
            stale = exc.changes
            form.version.data = get_scoped_or_404(Household, household.id).version
        except services.RefusedChange as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
    status = 409 if stale is not None else (422 if form.errors else 200)
    return render("households/edit.html", "households/_summary_form.html", status,
                  **_context(household, form=form, stale=stale,
                            field_labels={f.name: f.label.text for f in form}))


@bp.post("/<int:household_id>/delete")
@editor_only
@loads(household=Household)
def delete(household):
    form = DeleteForm()
    status = 422
    if form.validate_on_submit():
        try:
            services.delete_household(household, form.reason.data, form.version.data)
            db.session.commit()
        except services.StaleEdit:
            db.session.rollback()
            status = 409
            form.reason.errors.append(_("Hồ sơ vừa được người khác cập nhật; tải lại trang rồi thử lại."))
        else:
            if is_swap():  # htmx acts on HX-Redirect only in a 2xx answer
                return "", 200, {"HX-Redirect": url_for(".index")}
            return redirect(url_for(".index"), code=303)
    return render("households/case.html", "households/_delete_form.html", status,
                  **_context(household, delete_form=form))


# Members ---------------------------------------------------------------------------------

def _members(household, status=200, **extra):
    ctx = _context(household, **extra)
    if "members" not in ctx:
        ctx["members"] = services.active_members(household.id)
    return render("households/case.html", "households/_members.html", status, **ctx)


def _members_saved(household):
    """After a member write: the refreshed panel for htmx (it replaces the whole panel, not
    just the form that was posted), a redirect to the case file for a plain form post. The
    household's derived fields (head, flags) follow its members: the summary listens."""
    return saved(lambda: _members(household), "members",
                 url_for(".case_file", household_id=household.id), "members-changed")


@bp.get("/<int:household_id>/members")
@loads(household=Household)
@page_panel()
def members(household):
    return _members(household)


@bp.route("/<int:household_id>/members/new", methods=["GET", "POST"])
@editor_only
@once
@loads(household=Household)
def member_create(household):
    form = MemberForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            services.add_member(household, form.data)
            db.session.commit()
            return _members_saved(household)
        except services.RefusedChange as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
    status = 422 if form.errors else 200
    return render("households/member_edit.html", "households/_member_form.html", status,
                  household=household, form=form, member=None, stale=None)


@bp.route("/<int:household_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@editor_only
@loads(household=Household, member=Member)
def member_edit(household, member):
    form = MemberForm(obj=member)
    form.fill_choices()
    stale = None
    if request.method == "GET":
        form.version.data = member.version
    elif form.validate_on_submit():
        try:
            services.update_member(member, household, form.data, form.version.data)
            db.session.commit()
            return _members_saved(household)
        except services.StaleEdit as exc:
            db.session.rollback()
            stale = exc.changes
            form.version.data = get_scoped_or_404(Member, member.id).version
        except services.RefusedChange as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
    status = 409 if stale is not None else (422 if form.errors else 200)
    return render("households/member_edit.html", "households/_member_form.html", status,
                  household=household, form=form, member=member, stale=stale,
                  field_labels={f.name: f.label.text for f in form})


@bp.post("/<int:household_id>/members/<int:member_id>/delete")
@editor_only
@loads(household=Household, member=Member)
def member_delete(household, member):
    form = DeleteForm()
    error = None
    if form.validate_on_submit():
        try:
            services.delete_member(member, household, form.reason.data, form.version.data)
            db.session.commit()
            return _members_saved(household)
        except services.StaleEdit:
            db.session.rollback()
            error = _("Thành viên vừa được người khác cập nhật; tải lại rồi thử lại.")
        except services.RefusedChange as exc:
            db.session.rollback()
            error = exc.message
    else:
        error = "; ".join(str(e) for e in form.reason.errors)
    return _members(household, 422, member_error=error)
