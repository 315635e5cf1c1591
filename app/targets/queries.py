"""Reads behind targets, progress and periodic reports.

Every count is one GROUP BY through the user's scope (core.scoping), grouped by the child units
of the unit being looked at — never a Python loop over households.

"Standing after year Y": a household's decided status of its latest decided review up to Y
(the demo and the real review only re-review households on the lists, so a household that left
keeps its last decided status). The baseline of year Y is the standing after Y − 1; the actual
reduction in Y is baseline − standing after Y; escapes are counted from the transitions of the
year's decided reviews.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.core.i18n import N_
from app.core.scoping import child_columns, child_of, scoped, unit_column, units_in_scope
from app.core.units import HAMLET, AdminUnit
from app.extensions import db
from app.households.models import Household
from app.reviews import rules
from app.reviews.models import Review
from app.targets.models import Target

KINDS = ("poor", "near_poor", "merit_poor")
COUNT_LABELS = {"poor": N_("Hộ nghèo"), "near_poor": N_("Hộ cận nghèo"),
                "merit_poor": N_("Hộ nghèo có người có công")}
# The status a kind counts, and the transition that counts as its escape.
KIND_STATUS = {"poor": rules.POOR, "near_poor": rules.NEAR_POOR, "merit_poor": rules.POOR}
KIND_ESCAPE = {"poor": rules.ESCAPED, "near_poor": rules.ESCAPED_NEAR,
               "merit_poor": rules.ESCAPED}
MERIT_ESCAPED = "merit_escaped"


def child_units(unit: AdminUnit) -> list[AdminUnit]:
    """The active units directly under `unit`, in code order (the official tables' order)."""
    if unit.level == HAMLET:
        return []
    return db.session.scalars(select(AdminUnit).where(
        AdminUnit.parent_id == unit.id, AdminUnit.is_active.is_(True))
        .order_by(AdminUnit.code)).all()


def unit_in_scope(unit_id, user=None) -> AdminUnit | None:
    """A unit at or under the user's own unit, named by an id from a URL or form."""
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(units_in_scope(user=user).where(AdminUnit.id == unit_id))


def ancestors_in_scope(unit: AdminUnit, user) -> list[AdminUnit]:
    """The breadcrumb from the user's own unit down to `unit` (both included)."""
    top = user.unit
    chain, current = [], unit
    while current is not None:
        chain.append(current)
        if top is not None and current.id == top.id:
            break
        current = current.parent
    return list(reversed(chain))


# Counts per child --------------------------------------------------------------------------

def _empty() -> dict[str, int]:
    return {kind: 0 for kind in KINDS}


def standing_by_year(unit: AdminUnit, years, user=None) -> dict[int, dict[int, dict[str, int]]]:
    """year → child id → {poor, near_poor, merit_poor}: households of `unit` whose latest
    decided review up to that year says poor / near-poor (merit: poor with a người có công
    member).

    One query for all the years: each decided review holds from its year until the household's
    next decided review (LEAD over the household's reviews); the intervals are counted with
    GROUP BY and each year adds up the intervals that cover it."""
    years = sorted(set(years))
    result = {y: {} for y in years}
    if not years:
        return result
    keys = [c.label(f"k{i}") for i, c in enumerate(child_columns(Household, unit))]
    following = func.lead(Review.year).over(partition_by=Review.household_id, order_by=Review.year)
    spans = scoped(
        select(*keys, Review.year.label("year"), following.label("next_year"),
               Review.decided_status.label("status"), Household.has_merit_member.label("merit"))
        .join(Household, Household.id == Review.household_id)
        .where(unit_column(Household, unit) == unit.id, Review.decided_status.is_not(None),
               Review.year <= years[-1]), Household, user).subquery()
    key_columns = [spans.c[f"k{i}"] for i in range(len(keys))]
    stmt = (select(*key_columns, spans.c.year, spans.c.next_year, spans.c.status, spans.c.merit,
                   func.count())
            .where(spans.c.status.in_(rules.IN_LISTS))
            .group_by(*key_columns, spans.c.year, spans.c.next_year, spans.c.status, spans.c.merit))
    for row in db.session.execute(stmt):
        *ids, first, following_year, status, merit, n = row
        child = child_of(ids)
        for year in years:
            if first <= year and (following_year is None or following_year > year):
                bucket = result[year].setdefault(child, _empty())
                bucket[status] += n
                if status == rules.POOR and merit:
                    bucket["merit_poor"] += n
    return result


def standing_counts(unit: AdminUnit, year: int, user=None) -> dict[int, dict[str, int]]:
    """child id → {poor, near_poor, merit_poor} after the decisions up to `year`."""
    return standing_by_year(unit, [year], user)[year]


def household_counts(unit: AdminUnit, user=None) -> dict[int, int]:
    """child id → households (not deleted) living there now."""
    keys = child_columns(Household, unit)
    stmt = scoped(select(*keys, func.count()).where(unit_column(Household, unit) == unit.id)
                  .group_by(*keys), Household, user)
    counts: dict[int, int] = {}
    for *ids, n in db.session.execute(stmt):
        counts[child_of(ids)] = counts.get(child_of(ids), 0) + n
    return counts


def transition_counts(unit: AdminUnit, year: int, user=None) -> dict[int, dict[str, int]]:
    """child id → {transition: households whose decided review of `year` has it}, plus
    `merit_escaped` (escaped households with a người có công member)."""
    keys = child_columns(Household, unit)
    stmt = scoped(
        select(*keys, Review.transition, Household.has_merit_member, func.count())
        .select_from(Review).join(Household, Household.id == Review.household_id)
        .where(unit_column(Household, unit) == unit.id, Review.year == year,
               Review.decided_status.is_not(None), Review.transition.is_not(None))
        .group_by(*keys, Review.transition, Household.has_merit_member), Household, user)
    counts: dict[int, dict[str, int]] = {}
    for *ids, transition, merit, n in db.session.execute(stmt):
        bucket = counts.setdefault(child_of(ids), {t: 0 for t in (*rules.TRANSITIONS, MERIT_ESCAPED)})
        bucket[transition] += n
        if transition == rules.ESCAPED and merit:
            bucket[MERIT_ESCAPED] += n
    return counts


def targets_of(unit_ids, year: int, user=None) -> dict[tuple[int, str], Target]:
    """(unit id, kind) → the target of that unit and year (only targets in scope)."""
    ids = list(unit_ids)
    if not ids:
        return {}
    stmt = scoped(select(Target).where(Target.unit_id.in_(ids), Target.year == year), Target, user)
    return {(t.unit_id, t.kind): t for t in db.session.scalars(stmt).unique()}


def decided_years(unit: AdminUnit, user=None) -> list[int]:
    """Years with decided reviews of households of `unit`, oldest first."""
    stmt = scoped(select(Review.year).distinct()
                  .join(Household, Household.id == Review.household_id)
                  .where(unit_column(Household, unit) == unit.id,
                         Review.decided_status.is_not(None)), Household, user)
    return sorted(db.session.scalars(stmt))


def has_decisions(unit: AdminUnit, year: int, user=None) -> bool:
    stmt = scoped(select(Review.id).join(Household, Household.id == Review.household_id)
                  .where(unit_column(Household, unit) == unit.id, Review.year == year,
                         Review.decided_status.is_not(None)), Household, user).limit(1)
    return db.session.scalar(stmt) is not None


def unit_totals(counts: dict[int, dict[str, int]]) -> dict[str, int]:
    total = _empty()
    for bucket in counts.values():
        for kind in KINDS:
            total[kind] += bucket.get(kind, 0)
    return total


# Progress rows ------------------------------------------------------------------------------

def effective_count(target: Target | None) -> int | None:
    """The target as a number of households: the count, or the percentage of the baseline
    stored when it was set (rounded half up)."""
    if target is None:
        return None
    if target.count is not None:
        return target.count
    if target.percent_bp is None:
        return None
    return ((target.baseline or 0) * target.percent_bp + 5000) // 10000


@dataclass
class ProgressRow:
    unit: AdminUnit | None                       # None: the totals row
    households: int = 0
    start: dict[str, int] = field(default_factory=_empty)
    end: dict[str, int] = field(default_factory=_empty)
    transitions: dict[str, int] = field(default_factory=dict)
    targets: dict[str, Target | None] = field(default_factory=dict)
    target_counts: dict[str, int | None] = field(default_factory=dict)

    def reduction(self, kind: str) -> int:
        return self.start[kind] - self.end[kind]

    def escaped(self, kind: str) -> int:
        key = MERIT_ESCAPED if kind == "merit_poor" else KIND_ESCAPE[kind]
        return self.transitions.get(key, 0)

    def entered(self, kind: str) -> int:
        """Households that joined the list in the year (relapsed or new)."""
        if kind == "near_poor":
            return self.transitions.get(rules.NEAR_RELAPSED, 0) + self.transitions.get(rules.NEWLY_NEAR, 0)
        if kind == "poor":
            return self.transitions.get(rules.RELAPSED, 0) + self.transitions.get(rules.NEWLY_POOR, 0)
        return 0

    def achieved_bp(self, kind: str) -> int | None:
        """Actual reduction over target, in basis points (None without a positive target)."""
        target = self.target_counts.get(kind)
        if not target:
            return None
        return (self.reduction(kind) * 10000 * 2 + target) // (2 * target)

    def met(self, kind: str) -> bool | None:
        target = self.target_counts.get(kind)
        return None if target is None else self.reduction(kind) >= target


def progress_rows(unit: AdminUnit, year: int, user=None,
                  standing=None) -> tuple[list[ProgressRow], ProgressRow]:
    """One row per child of `unit` (a hamlet: the hamlet itself) and the totals row.
    `standing`: a standing_by_year() result covering year − 1 and year, when already read."""
    if standing is None or year - 1 not in standing or year not in standing:
        standing = standing_by_year(unit, [year - 1, year], user)
    start, end = standing[year - 1], standing[year]
    households, moves = household_counts(unit, user), transition_counts(unit, year, user)
    children = {c.id: c for c in child_units(unit)} if unit.level != HAMLET else {unit.id: unit}
    # Children with households but no longer active still count (merged units).
    missing = (set(start) | set(end) | set(households) | set(moves)) - set(children) - {None}
    if missing:
        children.update({c.id: c for c in db.session.scalars(
            select(AdminUnit).where(AdminUnit.id.in_(missing)))})
    targets = targets_of(children, year, user)
    rows = []
    for child in sorted(children.values(), key=lambda c: (not c.is_active, c.code)):
        row = ProgressRow(child, households.get(child.id, 0), {**_empty(), **start.get(child.id, {})},
                          {**_empty(), **end.get(child.id, {})}, dict(moves.get(child.id, {})))
        row.targets = {k: targets.get((child.id, k)) for k in KINDS}
        row.target_counts = {k: effective_count(row.targets[k]) for k in KINDS}
        rows.append(row)
    totals = ProgressRow(None, sum(households.values()), unit_totals(start), unit_totals(end))
    for bucket in moves.values():
        for key, n in bucket.items():
            totals.transitions[key] = totals.transitions.get(key, 0) + n
    totals.target_counts = {k: _sum_or_none(r.target_counts[k] for r in rows) for k in KINDS}
    return rows, totals


def _sum_or_none(values):
    values = [v for v in values if v is not None]
    return sum(values) if values else None


@dataclass
class TrendPoint:
    year: int
    end: dict[str, int]
    target_end: int | None = None     # where the poor count should have ended


def trend_years(unit: AdminUnit, until: int, user=None) -> list[int]:
    """The years with decisions up to `until`, and `until` itself."""
    return sorted({y for y in decided_years(unit, user) if y <= until} | {until})


def trend(unit: AdminUnit, until: int, kind: str = "poor", user=None,
          standing=None, years=None) -> list[TrendPoint]:
    """Households on the lists after each year's decisions (trend_years), with the level the
    unit's target aimed at. `standing`: a standing_by_year() result covering those years and
    the years before them, and `years`: trend_years(), when already read."""
    years = years if years is not None else trend_years(unit, until, user)
    targets = {t.year: t for t in db.session.scalars(scoped(
        select(Target).where(Target.unit_id == unit.id, Target.kind == kind,
                             Target.year.in_(years)), Target, user)).unique()}
    needed = {*years, *(y - 1 for y in years)}
    if standing is None or not needed <= set(standing):
        standing = standing_by_year(unit, needed, user)
    points = []
    for year in years:
        start, end = unit_totals(standing[year - 1]), unit_totals(standing[year])
        goal = effective_count(targets.get(year))
        points.append(TrendPoint(year, end, start[kind] - goal if goal is not None else None))
    return points
