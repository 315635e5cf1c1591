"""The official lists of a round (page to print, and .xlsx) for every officer role, each
scoped to its area: the round through its scope, the hamlet one of the round's commune's
(another commune's hamlet id is a 404), the households through the household scope."""

from flask import Blueprint, abort, request

from app.core import audit, clock
from app.core.excel import xlsx_response
from app.core.guards import require_roles
from app.core.htmx import render
from app.core.params import int_arg
from app.core.scoping import get_scoped_or_404
from app.core.users import Role
from app.reviews import official_lists as lists_
from app.reviews.models import ReviewRound
from app.reviews.round_queries import commune_hamlets

bp = Blueprint("official_lists", __name__, url_prefix="/reviews/rounds/<int:round_id>")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)


def _selection(round_id):
    round_ = get_scoped_or_404(ReviewRound, round_id)
    kind = request.args.get("list") or lists_.POOR
    if kind not in lists_.KINDS:
        abort(404)
    hamlets = commune_hamlets(round_.commune_id)
    hamlet_id = int_arg("hamlet", None, 1, 2**31)
    hamlet = next((h for h in hamlets if h.id == hamlet_id), None)
    if hamlet_id and hamlet is None:
        abort(404)
    lists = lists_.build(round_)
    audit.viewed_households(e.household.id for e in lists.rows(kind, hamlet_id))
    return round_, kind, hamlets, hamlet, lists


@bp.get("/lists")
def page(round_id):
    round_, kind, hamlets, hamlet, lists = _selection(round_id)
    return render("reviews/lists/list.html", "reviews/lists/list.html", round=round_, kind=kind,
                  kinds=lists_.KINDS, hamlets=hamlets, hamlet=hamlet, lists=lists,
                  columns=lists_.columns(kind, lists.with_ethnicity),
                  rows=lists_.table_rows(lists, kind, hamlet.id if hamlet else None),
                  title=lists_.title(lists, kind), unit_heading=lists_.unit_heading(lists),
                  reference=lists_.reference_line(lists), counts={
                      k: len(lists.rows(k, hamlet.id if hamlet else None)) for k in lists_.KINDS},
                  signed_on=lists.decision.decided_on if lists.decision else None,
                  today=clock.today())


@bp.get("/lists.xlsx")
def xlsx(round_id):
    round_, kind, _hamlets, hamlet, lists = _selection(round_id)
    name = f"danh-sach-{kind.replace('_', '-')}-{lists.list_year}-{round_.commune.code}"
    if hamlet:
        name += f"-{hamlet.code}"
    return xlsx_response([lists_.sheet(lists, kind, hamlet)], name + ".xlsx")
