"""The `supports` blueprint and its guard: officers of an area read plans and supports;
sponsors reach exactly one route here — evidence files, which are scoped to their own
supports (their portal is the sponsors blueprint). Writes are for commune officers."""
from flask import Blueprint, abort, request
from flask_login import current_user

from app.core.guards import require_roles, roles_required
from app.core.scoping import get_scoped_or_404
from app.core.users import Role
from app.households.models import Household
from app.supports.models import Support

bp = Blueprint("supports", __name__, url_prefix="/supports")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG, Role.SPONSOR)
editor_only = roles_required(Role.COMMUNE)
SPONSOR_ENDPOINTS = {"supports.evidence"}


@bp.before_request
def _sponsors_only_to_evidence():
    if current_user.role == Role.SPONSOR and request.endpoint not in SPONSOR_ENDPOINTS:
        abort(403)


def support_and_household(support_id):
    support = get_scoped_or_404(Support, support_id)
    # The household through its own scope too: a deleted household's supports are gone.
    return support, get_scoped_or_404(Household, support.household_id)
