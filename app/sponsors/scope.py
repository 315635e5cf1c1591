"""The sponsor directory a user may read: officers see the sponsors of their province; a
sponsor user only its own sponsor; nobody else any. (Which households a sponsor reaches is
core.scoping's rule, fed by sponsors.models.)"""
from flask_login import current_user
from sqlalchemy import Select, false, select

from app.core.scoping import AREA_ROLES
from app.core.users import Role
from app.sponsors.models import Sponsor


def sponsors_in_scope(user=None) -> Select:
    user = current_user if user is None else user
    stmt = select(Sponsor)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return stmt.where(false())
    if user.role in AREA_ROLES and user.unit is not None and user.unit.is_active:
        return stmt.where(Sponsor.province_id == user.unit.ancestor_ids[0])
    if user.role == Role.SPONSOR and user.sponsor_id:
        return stmt.where(Sponsor.id == user.sponsor_id)
    return stmt.where(false())
