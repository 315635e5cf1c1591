"""The household list: search, filters, sort and pagination over the scoped query."""
from dataclasses import dataclass, field

from flask_login import current_user
from sqlalchemy import and_, exists, or_, select

from app.core import clock, sensitive
from app.core.i18n import N_
from app.core.paging import paginate
from app.core.params import to_int, to_page
from app.core.lookups import Lookup
from app.core.scoping import scoped
from app.core.text import fold
from app.core.units import DISTRICT, PROVINCE
from app.extensions import db
from app.households.models import Household, Member
from app.households.search import PREFIX_UPTO, _escape, search_clause
from app.reviews.labels import STATUS_LABELS, TRANSITION_LABELS
from app.reviews.models import Review
from app.reviews.rules import IN_LISTS, NEWLY_ESCAPED_YEARS

# The "Phân loại" filter: the decided statuses, the two kinds of exit, and not yet reviewed.
STANDING_FILTERS = {**STATUS_LABELS, "unreviewed": N_("Chưa rà soát")}
FLAGS = {"merit": Household.has_merit_member, "ethnic": Household.is_ethnic_minority,
         "female": Household.is_female_headed, "nolabour": Household.has_no_labour_capacity}
FLAG_LABELS = {"merit": N_("Có người có công"), "ethnic": N_("Dân tộc thiểu số"),
               "female": N_("Phụ nữ làm chủ hộ"), "nolabour": N_("Không còn khả năng lao động")}
SORTS = {"name": (Household.head_name_folded, Household.id),
         "-name": (Household.head_name_folded.desc(), Household.id.desc()),
         "code": (Household.code,), "-code": (Household.code.desc(),),
         "updated": (Household.updated_at.desc(), Household.id.desc())}
SORT_LABELS = {"name": N_("Tên chủ hộ A→Z"), "-name": N_("Tên chủ hộ Z→A"), "code": N_("Mã hộ"),
               "-code": N_("Mã hộ (giảm dần)"), "updated": N_("Mới cập nhật")}


@dataclass
class ListParams:
    """Validated query-string parameters; anything invalid falls back to the default."""
    q: str = ""
    hamlet: int | None = None
    status: str = ""
    flags: list[str] = field(default_factory=list)
    transition: str = ""          # with `year`: that year's decided review; else the latest
    year: int | None = None
    poor_years: int | None = None  # poor without a break for at least N years (up to `year`)
    commune: int | None = None     # drill-down from the overview pages (scope still applies)
    sort: str = "name"
    page: int = 1

    @classmethod
    def from_args(cls, args, user=None) -> "ListParams":
        """For `user` (default: the current user): a filter the role may not use is dropped
        here, so it narrows nothing and shows in no title, link or log (core.sensitive)."""
        params = cls(q=(args.get("q") or "").strip()[:100])
        params.hamlet = to_int(args.get("hamlet"), None, 1, 2**31)
        params.commune = to_int(args.get("commune"), None, 1, 2**31)
        params.year = to_int(args.get("year"), None, 2000, 2100)
        params.poor_years = to_int(args.get("poor_years"), None, 1, 50)
        params.status = args.get("status") if args.get("status") in STANDING_FILTERS else ""
        params.transition = args.get("transition") if args.get("transition") in TRANSITION_LABELS else ""
        params.flags = sensitive.usable("flag", [f for f in args.getlist("flag") if f in FLAGS],
                                        user)
        params.sort = args.get("sort") if args.get("sort") in SORTS else "name"
        params.page = to_page(args.get("page"))
        return params

    def query_args(self, **override) -> dict:
        args = {"q": self.q, "hamlet": self.hamlet, "status": self.status, "flag": self.flags,
                "transition": self.transition, "year": self.year, "poor_years": self.poor_years,
                "commune": self.commune, "sort": self.sort, "page": self.page}
        args.update(override)
        return {k: v for k, v in args.items() if v not in ("", None, [])}


def household_query(params: ListParams, user=None):
    stmt = scoped(select(Household), Household, user)
    found = search_clause(params.q, wide=not (params.hamlet or params.commune)
                          and _wide_scope(user)) if params.q else None
    if found is not None:   # the search box: see households/search.py for what it finds
        stmt = stmt.where(found)
    if params.hamlet:
        stmt = stmt.where(Household.hamlet_id == params.hamlet)
    if params.commune:
        stmt = stmt.where(Household.commune_id == params.commune)
    if params.status:
        stmt = stmt.where(_standing_clause(params.status, clock.today().year))
    if params.transition and params.year:
        stmt = stmt.where(exists().where(
            Review.household_id == Household.id, Review.year == params.year,
            Review.decided_status.is_not(None), Review.transition == params.transition))
    elif params.transition:
        stmt = stmt.where(Household.last_transition == params.transition)
    if params.poor_years:
        until = params.year or clock.today().year
        stmt = stmt.where(Household.status == "poor",
                          Household.poor_since <= until - params.poor_years + 1)
    for flag in sensitive.usable("flag", params.flags, user):   # also for hand-built params
        stmt = stmt.where(FLAGS[flag].is_(True))
    return stmt


def _wide_scope(user) -> bool:
    """The user's list covers a district or a province (more than one commune)."""
    unit = getattr(current_user if user is None else user, "unit", None)
    return unit is not None and unit.level in (DISTRICT, PROVINCE)


def flag_labels(user=None) -> dict:
    """The flag filters offered to `user`."""
    return {k: FLAG_LABELS[k] for k in sensitive.usable("flag", FLAG_LABELS, user)}


def _standing_clause(standing: str, this_year: int):
    """The SQL twin of rules.standing(): exits split by how long ago they happened."""
    out = and_(Household.status.not_in(IN_LISTS), Household.exit_year.is_not(None))
    if standing == "newly_escaped":
        return and_(out, Household.exit_year >= this_year - NEWLY_ESCAPED_YEARS)
    if standing == "sustainable_exit":
        return and_(out, Household.exit_year < this_year - NEWLY_ESCAPED_YEARS)
    if standing == "unreviewed":
        return Household.status.is_(None)
    return Household.status == standing


# Past this many matches the list says "more than 2.000": a province's broad search matches
# 10⁵ households, and counting them all cost more than the page (core.paging).
COUNT_LIMIT = 2000


def list_page(params: ListParams, page_size: int, user=None):
    """One page (core.paging.Page): no count on the last page, none past COUNT_LIMIT.
    With a search text, `page.matched` tells why a household was found when its head's
    name does not say it (matched_members)."""
    page = paginate(household_query(params, user).order_by(*SORTS[params.sort]),
                    params.page, page_size, count_limit=COUNT_LIMIT)
    page.matched = matched_members(params.q, page.rows, user) if params.q else {}
    for h in page.rows:   # what the rows template reads (not a mapped column)
        h.search_match = page.matched.get(h.id)
    return page


def name_matches(query: str, folded_name: str) -> bool:
    """Whether a folded name is what the search box finds for `query` (households/search.py:
    3 characters or more anywhere, 1 or 2 at the start of a word)."""
    q = fold(query)
    if not q or not folded_name:
        return False
    if len(q) <= PREFIX_UPTO:
        return folded_name.startswith(q) or (" " + q) in folded_name
    return q in folded_name


def matched_members(query: str, households, user=None) -> dict:
    """{household id: (member's full name, relationship label)} for the households of a page
    whose head's name does not match `query` but a member's does: the first such member (by
    position). One query for the whole page, through the scope, only names and relationships
    (nothing sensitive)."""
    q = fold(query)
    ids = [h.id for h in households if not name_matches(q, h.head_name_folded)]
    if not q or not ids:
        return {}
    like = _escape(q)
    if len(q) <= PREFIX_UPTO:
        found = or_(Member.name_folded.like(like + "%", escape="/"),
                    Member.name_folded.like("% " + like + "%", escape="/"))
    else:
        found = Member.name_folded.like("%" + like + "%", escape="/")
    stmt = (scoped(select(Member.household_id, Member.full_name, Lookup.label,
                          Member.relationship_code), Member, user)
            .outerjoin(Lookup, and_(Lookup.kind == "relationship",
                                    Lookup.code == Member.relationship_code))
            .where(Member.household_id.in_(ids), Member.relationship_code != "head", found)
            .order_by(Member.household_id, Member.position, Member.id))
    matched = {}
    for household_id, full_name, label, code in db.session.execute(stmt):
        matched.setdefault(household_id, (full_name, label or code))
    return matched
