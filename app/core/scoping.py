"""THE one place that turns "this user" into "these rows".

Every read of a household-related row goes through `scoped()` (lists) or
`get_scoped_or_404()` (one object). Scoped rows carry the ids of their province, district,
commune and hamlet (ScopedMixin), so a scope is one indexed equality predicate.
It fails closed: no user, an inactive user, a role without an area, or a missing unit all
mean no rows. Outside the scope is a 404, never a 403 that would confirm the row exists.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import ForeignKey, Select, false, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.core import audit
from app.core.units import COMMUNE, DISTRICT, HAMLET, PROVINCE, AdminUnit
from app.core.users import Role
from app.extensions import db

LEVEL_COLUMN = {PROVINCE: "province_id", DISTRICT: "district_id", COMMUNE: "commune_id",
                HAMLET: "hamlet_id"}
# Roles whose scope is simply "everything under my unit".
AREA_ROLES = (Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)


class ScopedMixin:
    """Ancestor unit ids copied onto the row; set them with `place_in(hamlet)`."""

    @declared_attr
    def province_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("admin_unit.id"), index=True)

    @declared_attr
    def district_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("admin_unit.id"), index=True)

    @declared_attr
    def commune_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("admin_unit.id"), index=True)

    @declared_attr
    def hamlet_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("admin_unit.id"), index=True)

    def place_in(self, hamlet: AdminUnit):
        if hamlet.level != HAMLET:
            raise ValueError("scoped rows live in a hamlet")
        for level, unit_id in hamlet.lineage().items():
            setattr(self, LEVEL_COLUMN[level], unit_id)


def unit_column(model, unit: AdminUnit):
    """The column of a scoped row naming `unit`'s level (rows under `unit` have its id there)."""
    return getattr(model, LEVEL_COLUMN[unit.level])


def in_unit(model, unit: AdminUnit):
    return unit_column(model, unit) == unit.id


def child_columns(model, unit: AdminUnit) -> tuple:
    """The columns naming a child of `unit` on a scoped row, for GROUP BY. A province's
    children are its districts and the communes that have no district (district_id NULL)."""
    if unit.level == PROVINCE:
        return (model.district_id, model.commune_id)
    if unit.level == DISTRICT:
        return (model.commune_id,)
    return (model.hamlet_id,)          # a commune's hamlets; a hamlet groups as itself


def child_of(keys) -> int | None:
    """The child id from the values of `child_columns` (the first one set)."""
    return next((k for k in keys if k is not None), None)


def _user(user):
    return current_user if user is None else user


def scope_clause(model, user=None):
    """The WHERE clause limiting `model` to what `user` may read."""
    user = _user(user)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return false()
    if user.role in AREA_ROLES and user.unit is not None and user.unit.is_active:
        return getattr(model, LEVEL_COLUMN[user.unit.level]) == user.unit.id
    if user.role == Role.SPONSOR and user.sponsor_id:
        return sponsor_clause(model, user.sponsor_id)
    # Admins manage users and units, not cases. Everyone else: nothing.
    return false()


# Sponsors are a domain of their own: app.sponsors registers, at import, the query of the
# household ids a sponsor is assigned to (`fn(sponsor_id) -> Select`). None registered: a
# sponsor sees nothing (fail closed).
_sponsor_households = None


def register_sponsor_scope(fn) -> None:
    global _sponsor_households
    _sponsor_households = fn


def sponsor_clause(model, sponsor_id: int):
    """Models open to sponsors define `sponsor_scope(sponsor_id, household_ids)`."""
    if _sponsor_households is None or not hasattr(model, "sponsor_scope"):
        return false()
    return model.sponsor_scope(sponsor_id, _sponsor_households(sponsor_id))


def scoped(stmt: Select, model=None, user=None, include_deleted: bool = False) -> Select:
    model = model or stmt.column_descriptions[0]["entity"]
    stmt = stmt.where(scope_clause(model, user))
    if not include_deleted and hasattr(model, "deleted_at"):
        stmt = stmt.where(model.deleted_at.is_(None))
    return stmt


def get_scoped_or_404(model, ident, user=None, include_deleted: bool = False):
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    obj = db.session.scalar(scoped(select(model).where(model.id == ident), model, user,
                                   include_deleted))
    if obj is None:
        abort(404)
    audit.loaded(obj)   # a GET showing a case-file row records the view: no page can forget
    return obj


# Units ----------------------------------------------------------------------------------

def units_in_scope(level: str | None = None, user=None) -> Select:
    """Units at or under the user's own unit; none when the user has no unit."""
    user = _user(user)
    stmt = select(AdminUnit).where(AdminUnit.is_active.is_(True))
    if (user is None or not getattr(user, "is_authenticated", False) or user.unit is None
            or user.role not in AREA_ROLES):
        return stmt.where(false())
    stmt = stmt.where(AdminUnit.path.startswith(user.unit.path, autoescape=True))
    if level:
        stmt = stmt.where(AdminUnit.level == level)
    return stmt.order_by(AdminUnit.name)


def unit_in_scope_or_none(unit_id, level: str, user=None) -> AdminUnit | None:
    """Resolve an id taken from a form or URL; None when it is not a unit the user may use."""
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(units_in_scope(level, user).where(AdminUnit.id == unit_id))
