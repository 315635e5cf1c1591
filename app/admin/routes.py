"""Admin: users, administrative units, the audit log."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, func, or_, select

from app.auth import login as login_service
from app.auth.forms import UnitForm, UserForm
from app.core import audit, clock
from app.core.audit import AuditLog
from app.core.guards import require_roles
from app.core.i18n import N_
from app.core.scoping import AREA_ROLES
from app.core.once import once
from app.core.paging import paginate
from app.core.params import int_arg, page_arg
from app.core.units import ALLOWED_PARENTS, LEVEL_LABELS, LEVELS, AdminUnit
from app.core.users import Role, User
from app.extensions import db
from app.sponsors.models import Sponsor

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_roles(bp, Role.ADMIN)
USER_FIELDS = ("username", "full_name", "role", "unit_id", "sponsor_id", "active",
               "must_change_password")
UNIT_FIELDS = ("code", "name", "level", "parent_id", "is_urban", "is_active")


def _units(levels=None):
    stmt = select(AdminUnit).order_by(AdminUnit.path)
    if levels:
        stmt = stmt.where(AdminUnit.level.in_(levels))
    return db.session.scalars(stmt).all()


def _unit_choice(unit):
    return (str(unit.id), f"{'— ' * (len(unit.ancestor_ids) - 1)}{unit.name} ({unit.level_label})")


# Users -----------------------------------------------------------------------------------

def locked_users(now=None):
    """Accounts locked after repeated failed logins (login_service.is_locked, in SQL)."""
    now = now or clock.utcnow()
    return and_(User.failed_logins >= current_app.config["LOGIN_LOCK_AFTER"],
                User.locked_until.is_not(None), User.locked_until > now)


def users_without_unit():
    """Active accounts of a role that works in an area but without an (active) unit: they
    see nothing (the scope fails closed) until an admin gives them one."""
    inactive = select(AdminUnit.id).where(AdminUnit.is_active.is_(False))
    return and_(User.active.is_(True), User.role.in_(AREA_ROLES),
                or_(User.unit_id.is_(None), User.unit_id.in_(inactive)))


# ?show=…: the home page's links to the accounts that need the admin.
USER_FILTERS = {"locked": (locked_users, N_("Tài khoản đang bị tạm khóa đăng nhập")),
                "nounit": (users_without_unit, N_("Người dùng chưa có địa bàn"))}


@bp.get("/users")
def users():
    show = request.args.get("show") if request.args.get("show") in USER_FILTERS else ""
    stmt = select(User).order_by(User.username)
    if show:
        stmt = stmt.where(USER_FILTERS[show][0]())
    rows = db.session.scalars(stmt).all()
    sponsor_names = dict(db.session.execute(select(Sponsor.id, Sponsor.name).where(
        Sponsor.id.in_({u.sponsor_id for u in rows if u.sponsor_id}))).all())
    return render_template("admin/users.html", users=rows, sponsor_names=sponsor_names,
                           now=clock.utcnow(), is_locked=login_service.is_locked,
                           show=show, show_label=USER_FILTERS[show][1] if show else "")


def _user_form(user=None):
    form = UserForm(obj=user)
    form.role.choices = [(r, _(Role.LABELS[r])) for r in Role.ALL]
    form.unit_id.choices = [("", _("— Không —"))] + [_unit_choice(u) for u in _units(
        ("province", "district", "commune"))]
    sponsors = db.session.execute(select(Sponsor, AdminUnit.name).join(
        AdminUnit, AdminUnit.id == Sponsor.province_id).order_by(Sponsor.name_folded, Sponsor.id)).all()
    form.sponsor_id.choices = [("", _("— Không —"))] + [
        (str(s.id), f"{s.name} ({province}){'' if s.is_active else ' — ' + _('ngừng hoạt động')}")
        for s, province in sponsors]
    if user is not None and request.method == "GET":
        form.unit_id.data = str(user.unit_id or "")
        form.sponsor_id.data = str(user.sponsor_id or "")
    return form


def _validate_sponsor(form) -> int | None:
    """A sponsor user belongs to exactly one sponsor; no other role belongs to any."""
    if form.role.data == Role.SPONSOR:
        if not form.sponsor_id.data:
            form.sponsor_id.errors.append(_("Người dùng vai trò Nhà tài trợ cần thuộc một nhà tài trợ."))
            return None
        return int(form.sponsor_id.data)   # one of the choices: SelectField checked it
    if form.sponsor_id.data:
        form.sponsor_id.errors.append(_("Chỉ người dùng vai trò Nhà tài trợ mới thuộc nhà tài trợ."))
    return None


def _validate_scope(form) -> AdminUnit | None:
    """The role decides which unit levels may be its scope; area roles need one."""
    unit = db.session.get(AdminUnit, int(form.unit_id.data)) if form.unit_id.data else None
    allowed = Role.SCOPE_LEVELS[form.role.data]
    if (unit.level if unit else None) not in allowed:
        form.unit_id.errors.append(_("Vai trò này cần địa bàn cấp: %(levels)s.", levels=", ".join(
            _(LEVEL_LABELS[lv]) for lv in allowed if lv)))
        return None
    return unit


@bp.route("/users/new", methods=["GET", "POST"])
@once
def user_create():
    form = _user_form()
    if form.validate_on_submit():
        unit = _validate_scope(form)
        sponsor_id = _validate_sponsor(form)
        if not form.password.data:
            form.password.errors.append(_("Cần đặt mật khẩu cho người dùng mới."))
        if db.session.scalar(select(User.id).where(User.username == form.username.data)):
            form.username.errors.append(_("Tên đăng nhập đã có."))
        if not any(f.errors for f in form):
            user = User(username=form.username.data, full_name=form.full_name.data.strip(),
                        role=form.role.data, unit_id=unit.id if unit else None,
                        sponsor_id=sponsor_id, active=form.active.data,
                        must_change_password=form.must_change_password.data)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            audit.record("create", "user", user.id, after=audit.snapshot(user, USER_FIELDS))
            db.session.commit()
            flash(_("Đã tạo người dùng %(name)s.", name=user.username), "success")
            return redirect(url_for(".users"), code=303)
    return render_template("admin/user_form.html", form=form, user=None), (422 if form.errors else 200)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        unit = _validate_scope(form)
        sponsor_id = _validate_sponsor(form)
        clash = db.session.scalar(select(User.id).where(User.username == form.username.data,
                                                        User.id != user.id))
        if clash:
            form.username.errors.append(_("Tên đăng nhập đã có."))
        if user.id == current_user.id and (not form.active.data or form.role.data != Role.ADMIN):
            form.role.errors.append(_("Không thể tự bỏ quyền quản trị hoặc tự khóa tài khoản của mình."))
        if not any(f.errors for f in form):
            before = audit.snapshot(user, USER_FIELDS)
            scope_changed = (user.role, user.unit_id, user.sponsor_id, user.active) != (
                form.role.data, unit.id if unit else None, sponsor_id, form.active.data)
            user.username, user.full_name = form.username.data, form.full_name.data.strip()
            user.role, user.unit_id, user.active = form.role.data, unit.id if unit else None, form.active.data
            user.sponsor_id = sponsor_id
            user.must_change_password = form.must_change_password.data
            if form.password.data:
                user.set_password(form.password.data)
            if scope_changed or form.password.data:
                user.end_sessions()
            audit.record("update", "user", user.id, before, audit.snapshot(user, USER_FIELDS))
            db.session.commit()
            flash(_("Đã lưu người dùng %(name)s.", name=user.username), "success")
            return redirect(url_for(".users"), code=303)
    return render_template("admin/user_form.html", form=form, user=user), (422 if form.errors else 200)


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("Không thể tự khóa tài khoản của mình."), "error")
        return redirect(url_for(".users"), code=303)
    user.active = False
    user.end_sessions()  # the user's open sessions stop working at their next request
    audit.record("deactivate", "user", user.id)
    db.session.commit()
    flash(_("Đã khóa tài khoản %(name)s.", name=user.username), "success")
    return redirect(url_for(".users"), code=303)


@bp.post("/users/<int:user_id>/unlock")
def user_unlock(user_id):
    user = db.session.get(User, user_id) or abort(404)
    login_service.unlock(user)
    db.session.commit()
    flash(_("Đã mở khóa đăng nhập cho %(name)s.", name=user.username), "success")
    return redirect(url_for(".users"), code=303)


# Units -----------------------------------------------------------------------------------

@bp.get("/units")
def units():
    counts = dict(db.session.execute(select(AdminUnit.level, func.count()).group_by(AdminUnit.level)).all())
    parent = int_arg("parent")
    stmt = select(AdminUnit).order_by(AdminUnit.name)
    stmt = stmt.where(AdminUnit.parent_id == parent) if parent else stmt.where(AdminUnit.parent_id.is_(None))
    current = db.session.get(AdminUnit, parent) if parent else None
    return render_template("admin/units.html", units=db.session.scalars(stmt).all(), counts=counts,
                           current=current, level_labels=LEVEL_LABELS)


def _unit_form(unit=None):
    form = UnitForm(obj=unit)
    form.level.choices = [(lv, _(LEVEL_LABELS[lv])) for lv in LEVELS]
    form.parent_id.choices = [("", _("— Không (cấp tỉnh) —"))] + [_unit_choice(u) for u in _units(
        ("province", "district", "commune"))]
    if unit is not None and request.method == "GET":
        form.parent_id.data = str(unit.parent_id or "")
    elif unit is None and request.method == "GET" and request.args.get("parent"):
        form.parent_id.data = request.args["parent"]
    return form


def _validate_parent(form, unit=None) -> tuple[bool, AdminUnit | None]:
    parent = db.session.get(AdminUnit, int(form.parent_id.data)) if form.parent_id.data else None
    allowed = ALLOWED_PARENTS[form.level.data]
    if (parent.level if parent else None) not in allowed and not (parent is None and not allowed):
        form.parent_id.errors.append(_("Đơn vị cấp này phải thuộc: %(levels)s.",
                                       levels=", ".join(_(LEVEL_LABELS[lv]) for lv in allowed) or "—"))
        return False, None
    if unit is not None and parent is not None and parent.path.startswith(unit.path):
        form.parent_id.errors.append(_("Không thể đặt đơn vị vào chính nó hoặc đơn vị con của nó."))
        return False, None
    clash = select(AdminUnit.id).where(AdminUnit.code == form.code.data)
    if unit is not None:
        clash = clash.where(AdminUnit.id != unit.id)
    if db.session.scalar(clash):
        form.code.errors.append(_("Mã đơn vị đã có."))
        return False, None
    return True, parent


@bp.route("/units/new", methods=["GET", "POST"])
@once
def unit_create():
    form = _unit_form()
    if form.validate_on_submit():
        ok, parent = _validate_parent(form)
        if ok:
            unit = AdminUnit(code=form.code.data, name=form.name.data.strip(), level=form.level.data,
                             parent=parent, is_urban=form.is_urban.data, is_active=form.is_active.data)
            db.session.add(unit)
            db.session.flush()
            unit.rebuild_path()
            audit.record("create", "admin_unit", unit.id, after=audit.snapshot(unit, UNIT_FIELDS))
            db.session.commit()
            flash(_("Đã thêm %(name)s.", name=unit.name), "success")
            return redirect(url_for(".units", parent=unit.parent_id or None), code=303)
    return render_template("admin/unit_form.html", form=form, unit=None), (422 if form.errors else 200)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
def unit_edit(unit_id):
    unit = db.session.get(AdminUnit, unit_id) or abort(404)
    form = _unit_form(unit)
    if form.validate_on_submit():
        ok, parent = _validate_parent(form, unit)
        if ok and parent != unit.parent:
            # Moving units would re-home every household under them: a merger tool's job.
            form.parent_id.errors.append(_("Chưa hỗ trợ chuyển đơn vị sang đơn vị cha khác."))
            ok = False
        if ok and form.level.data != unit.level:
            form.level.errors.append(_("Không thể đổi cấp của đơn vị đã có."))
            ok = False
        if ok:
            before = audit.snapshot(unit, UNIT_FIELDS)
            unit.code, unit.name = form.code.data, form.name.data.strip()
            unit.is_urban, unit.is_active = form.is_urban.data, form.is_active.data
            audit.record("update", "admin_unit", unit.id, before, audit.snapshot(unit, UNIT_FIELDS))
            db.session.commit()
            flash(_("Đã lưu %(name)s.", name=unit.name), "success")
            return redirect(url_for(".units", parent=unit.parent_id or None), code=303)
    return render_template("admin/unit_form.html", form=form, unit=unit), (422 if form.errors else 200)


# Audit -----------------------------------------------------------------------------------

@bp.get("/audit")
def audit_log():
    page = page_arg()
    action = request.args.get("action", "")
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if action:
        stmt = stmt.where(AuditLog.action == action)
    # Not counted: the log only grows; "next" shows while pages are full.
    rows = paginate(stmt, page, 50, count=False).rows
    return render_template("admin/audit.html", rows=rows, page=page, action=action)
