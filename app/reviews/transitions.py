"""The poor and the near-poor lists as stocks, per unit and year (DOMAIN §2): start of year,
every inflow, every outflow, end of year — start + in − out = end in every row. The report
page, its workbook and the transitions overview all read this module.

Where a household stands at the end of year Y: its latest decided review of a year ≤ Y (a list
stands until a decision changes it), in that review's unit; on no list from the year the
household was deleted. Each household is classified once per list and year by comparing the
end of Y − 1 with the end of Y:

  inflow   baseline    its first decided review, in its commune's first year in the app (the
                       list as it stood when the app started), not "phát sinh"
           standard    on the list after a decision under another standard than the one before
           from_other  from the other list (near-poor → poor, poor → near-poor)
           moved_in    on the same list before, in another unit
           relapsed    on this list in some earlier year (tái nghèo / tái cận nghèo)
           new         never on this list before (nghèo / cận nghèo phát sinh)
  outflow  moved_out   deleted (moved away, dissolved), or on the same list in another unit
           standard    off the list by a decision under another standard
           to_other    to the other list
           escaped     out of both lists (thoát nghèo / thoát cận nghèo)

"Nghèo liên tục ≥ N năm" is read from the decided reviews up to Y (rules.path), never from
today's status."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.core.i18n import N_
from app.core.scoping import child_columns, child_of, in_unit, scoped, unit_column
from app.core.units import AdminUnit
from app.extensions import db
from app.households.models import Household
from app.reviews import rules
from app.reviews.models import Review

LISTS = (rules.POOR, rules.NEAR_POOR)
OTHER = {rules.POOR: rules.NEAR_POOR, rules.NEAR_POOR: rules.POOR}
BASELINE, NEW, RELAPSED, FROM_OTHER, MOVED_IN, STANDARD_IN = (
    "baseline", "new", "relapsed", "from_other", "moved_in", "standard_in")
ESCAPED, TO_OTHER, MOVED_OUT, STANDARD_OUT = "escaped", "to_other", "moved_out", "standard_out"
INFLOWS = (BASELINE, NEW, RELAPSED, FROM_OTHER, MOVED_IN, STANDARD_IN)
OUTFLOWS = (ESCAPED, TO_OTHER, MOVED_OUT, STANDARD_OUT)
STILL_POOR_YEARS = (2, 3, 5)

LIST_LABELS = {rules.POOR: N_("Hộ nghèo"), rules.NEAR_POOR: N_("Hộ cận nghèo")}
FLOW_LABELS = {
    rules.POOR: {BASELINE: N_("Đầu kỳ theo dữ liệu ban đầu"), NEW: N_("Nghèo phát sinh"),
                 RELAPSED: N_("Tái nghèo"), FROM_OTHER: N_("Từ hộ cận nghèo chuyển sang"),
                 MOVED_IN: N_("Chuyển đến"), STANDARD_IN: N_("Do thay đổi chuẩn"),
                 ESCAPED: N_("Thoát nghèo"), TO_OTHER: N_("Chuyển sang hộ cận nghèo"),
                 MOVED_OUT: N_("Chuyển đi, giải thể"), STANDARD_OUT: N_("Do thay đổi chuẩn")},
    rules.NEAR_POOR: {BASELINE: N_("Đầu kỳ theo dữ liệu ban đầu"), NEW: N_("Cận nghèo phát sinh"),
                      RELAPSED: N_("Tái cận nghèo"), FROM_OTHER: N_("Từ hộ nghèo chuyển sang"),
                      MOVED_IN: N_("Chuyển đến"), STANDARD_IN: N_("Do thay đổi chuẩn"),
                      ESCAPED: N_("Thoát cận nghèo"), TO_OTHER: N_("Chuyển sang hộ nghèo"),
                      MOVED_OUT: N_("Chuyển đi, giải thể"), STANDARD_OUT: N_("Do thay đổi chuẩn")},
}


@dataclass
class Flows:
    """One list in one unit for one year."""
    start: int = 0
    inflows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(INFLOWS, 0))
    outflows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTFLOWS, 0))
    end: int = 0

    @property
    def reconciles(self) -> bool:
        return self.start + sum(self.inflows.values()) - sum(self.outflows.values()) == self.end

    def add(self, other: "Flows"):
        self.start += other.start
        self.end += other.end
        for k, v in other.inflows.items():
            self.inflows[k] += v
        for k, v in other.outflows.items():
            self.outflows[k] += v


@dataclass
class Result:
    """Per list, group id (a child unit of the unit, or what `by` names) → its flows; and the
    poor households of the end of the year without a break for at least N years."""
    flows: dict[str, dict[int, Flows]]
    still_poor: dict[int, dict[int, int]]

    def groups(self) -> set[int]:
        return {g for per_list in self.flows.values() for g in per_list} | set(self.still_poor)


PLACE = ("province_id", "district_id", "commune_id", "hamlet_id")
COMMUNE = PLACE.index("commune_id")


# A decision is one review row as fetched: (household_id, year, status, standard_id, *PLACE).
# A province reads 10⁵–10⁶ of them per report; any object built per row would double the time.
Decision = tuple
YEAR, STATUS, STANDARD, PLACE_AT = 1, 2, 3, 4     # d[PLACE_AT + PLACE.index(column)]


def _histories(unit: AdminUnit, year: int, user) -> dict[int, tuple[list[Decision], int | None]]:
    """household id → (its decided reviews up to `year`, oldest first; the year it was
    deleted), for the households with a decided review in `unit` up to `year`. Their reviews
    elsewhere are read too (only their years, statuses, standards and places): a household
    that moved in is told apart from a new one by its review in the unit it came from."""
    touched = scoped(select(Review.household_id).where(
        in_unit(Review, unit), Review.decided_status.is_not(None), Review.year <= year),
        Review, user)
    deleted = {household_id: at.year for household_id, at in db.session.execute(
        select(Household.id, Household.deleted_at)
        .where(Household.id.in_(touched), Household.deleted_at.is_not(None)))}
    stmt = (select(Review.household_id, Review.year, Review.decided_status,
                   Review.standard_id, *[getattr(Review, c) for c in PLACE])
            .where(Review.household_id.in_(touched), Review.decided_status.is_not(None),
                   Review.year <= year)
            .order_by(Review.household_id, Review.year))
    # The DBAPI cursor's plain tuples (ints and strings need no conversion), not SQLAlchemy
    # rows: a province reads 10⁵–10⁶ reviews, and a Row per review costs as much as the query.
    result = db.session.connection().execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    histories: dict[int, tuple[list[Decision], int | None]] = {}
    current, decisions = None, None
    for row in rows:
        if row[0] != current:
            current, decisions = row[0], []
            histories[current] = (decisions, deleted.get(current))
        decisions.append(row)
    return histories


def _first_years(unit: AdminUnit, year: int, user) -> dict[int, int]:
    """commune id → the first year with a decided review there (its list's start in the app)."""
    stmt = scoped(select(Review.commune_id, func.min(Review.year))
                  .where(in_unit(Review, unit), Review.decided_status.is_not(None),
                         Review.year <= year).group_by(Review.commune_id), Review, user)
    return dict(db.session.execute(stmt).all())


def _standing(decisions: list[Decision], deleted: int | None, year: int) -> Decision | None:
    """The decision in force at the end of `year`; None when the household is gone by then."""
    if deleted is not None and deleted <= year:
        return None
    return next((d for d in reversed(decisions) if d[YEAR] <= year), None)


def _inflow(kind: str, before: Decision | None, after: Decision, decisions, first_years) -> str:
    if before is None:                    # its first decision (none before, not deleted)
        if after[YEAR] == first_years.get(after[PLACE_AT + COMMUNE]):
            return BASELINE
    elif before[STANDARD] != after[STANDARD]:
        return STANDARD_IN
    elif before[STATUS] == OTHER[kind]:
        return FROM_OTHER
    if any(d[STATUS] == kind for d in decisions if d[YEAR] < after[YEAR]):
        return RELAPSED
    return NEW


def _outflow(kind: str, before: Decision, after: Decision | None) -> str:
    if after is None:
        return MOVED_OUT                      # deleted: moved away or dissolved
    if before[STANDARD] != after[STANDARD]:
        return STANDARD_OUT
    return TO_OTHER if after[STATUS] == OTHER[kind] else ESCAPED


def compute(unit: AdminUnit | None, year: int, user=None, by: str | None = None) -> Result:
    """The flows of both lists in `unit` for `year`, per child unit of `unit` (or per value of
    the Review column named `by`, e.g. "commune_id"). Everything within the user's scope."""
    result = Result({kind: defaultdict(Flows) for kind in LISTS}, {})
    if unit is None:
        return result
    keys = [PLACE_AT + PLACE.index(k)
            for k in ([by] if by else [c.key for c in child_columns(Review, unit)])]
    own = PLACE_AT + PLACE.index(unit_column(Review, unit).key)

    def group(decision: Decision | None, kind: str) -> int | None:
        """The group holding `decision` on list `kind`; None when off it or outside `unit`."""
        if decision is None or decision[STATUS] != kind or decision[own] != unit.id:
            return None
        return child_of(decision[k] for k in keys)

    first_years = _first_years(unit, year, user)
    for decisions, deleted in _histories(unit, year, user).values():
        before = _standing(decisions, deleted, year - 1)
        after = _standing(decisions, deleted, year)
        for kind in LISTS:
            was, now = group(before, kind), group(after, kind)
            flows = result.flows[kind]
            if was is not None:
                flows[was].start += 1
            if now is not None:
                flows[now].end += 1
            if was == now:
                continue
            on_before = before is not None and before[STATUS] == kind
            on_after = after is not None and after[STATUS] == kind
            if was is not None:
                flows[was].outflows[MOVED_OUT if on_after else _outflow(kind, before, after)] += 1
            if now is not None:
                flows[now].inflows[MOVED_IN if on_before else
                                   _inflow(kind, before, after, decisions, first_years)] += 1
        now = group(after, rules.POOR)
        if now is not None:
            since = rules.path([(d[YEAR], d[STATUS]) for d in decisions]).poor_since
            counts = result.still_poor.setdefault(now, dict.fromkeys(STILL_POOR_YEARS, 0))
            for n in STILL_POOR_YEARS:
                counts[n] += since is not None and since <= year - n + 1
    return result
