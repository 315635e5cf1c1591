"""The `targets` blueprint, its guard and the query-string helpers its route modules share
(routes: targets and progress; figure_routes: the official figures)."""
from flask import Blueprint, abort
from flask_login import current_user

from app.core import clock
from app.core.guards import require_roles, roles_required
from app.core.users import Role
from app.targets import queries

bp = Blueprint("targets", __name__, url_prefix="/targets")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)
setters_only = roles_required(Role.COMMUNE, Role.DISTRICT)


def unit_from_query(raw):
    """The unit named in the query string (in scope, else 404); the user's own by default."""
    if current_user.unit is None:
        abort(404)
    if raw in (None, ""):
        return current_user.unit
    unit = queries.unit_in_scope(raw)
    if unit is None:
        abort(404)
    return unit


def year_choices(selected: int) -> list[int]:
    this = clock.today().year
    return sorted({*range(this - 4, this + 2), selected}, reverse=True)
