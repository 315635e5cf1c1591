"""The figures of a review year per unit — households, poor and near-poor households, and of
the poor: persons, social-protection / poverty-policy households, households without labour
capacity — and where each comes from.

One rule, read bottom-up over the unit tree, for every report:
  a unit's figures of year Y = its frozen figures of Y (YearFigure) when frozen; otherwise the
  sum of its children's (a hamlet: counted from the app — poor / near-poor from the latest
  decided review up to Y, households from those managed today), with the households replaced
  by the total an officer entered for the unit and year (HouseholdTotal) when there is one.
Freezing (freeze_year) writes the figures of a commune and its hamlets as they stand, so a past
year's report no longer moves when households are added or reviews corrected later."""
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from app.core import audit
from app.core.scoping import in_unit, scoped
from app.core.units import HAMLET, AdminUnit, subtree
from app.extensions import db
from app.households.models import Household, Member
from app.reviews import rules
from app.reviews.models import Review
from app.targets.figure_models import HouseholdTotal, YearFigure

COUNTS = ("households", "poor", "near_poor", "persons", "social", "policy", "no_labour")
SOCIAL, POLICY = "social_protection", "poverty_policy"
UNSCOPED = object()     # freeze_year: the commune was authorised by the caller


@dataclass
class Figures:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    frozen: bool = False        # read from frozen figures (every part of the unit)
    entered: bool = False       # households from a total an officer entered

    def __getitem__(self, name):
        return self.counts[name]

    @property
    def provisional(self) -> bool:
        return not self.frozen


def _scoped(stmt, model, user):
    return stmt if user is UNSCOPED else scoped(stmt, model, user)


def counted_by_hamlet(unit: AdminUnit, year: int, user=None) -> dict[int, dict[str, int]]:
    """hamlet id → the figures counted from the app's households of `unit` for review year
    `year` (households: those managed today, not deleted)."""
    out: dict[int, dict[str, int]] = {}

    def bucket(hamlet_id):
        return out.setdefault(hamlet_id, dict.fromkeys(COUNTS, 0))

    alive = Household.deleted_at.is_(None)
    for hamlet_id, n in db.session.execute(_scoped(
            select(Household.hamlet_id, func.count()).where(in_unit(Household, unit), alive)
            .group_by(Household.hamlet_id), Household, user)):
        bucket(hamlet_id)["households"] += n

    latest = _scoped(select(Review.household_id.label("household_id"),
                            func.max(Review.year).label("year"))
                     .join(Household, Household.id == Review.household_id)
                     .where(in_unit(Household, unit), alive, Review.decided_status.is_not(None),
                            Review.year <= year)
                     .group_by(Review.household_id), Household, user).subquery()
    on_latest = and_(Review.household_id == latest.c.household_id, Review.year == latest.c.year)
    decided = (select(Household.hamlet_id, Review.decided_status, Review.policy_group,
                      Review.has_labour, func.count())
               .select_from(latest).join(Review, on_latest)
               .join(Household, Household.id == Review.household_id)
               .where(Review.decided_status.in_(rules.IN_LISTS))
               .group_by(Household.hamlet_id, Review.decided_status, Review.policy_group,
                         Review.has_labour))
    for hamlet_id, status, group, has_labour, n in db.session.execute(decided):
        b = bucket(hamlet_id)
        b[status] += n
        if status == rules.POOR:
            b["social"] += n if group == SOCIAL else 0
            b["policy"] += n if group == POLICY else 0
            b["no_labour"] += n if has_labour is False else 0

    persons = (select(Household.hamlet_id, func.count(Member.id))
               .select_from(latest).join(Review, on_latest)
               .join(Household, Household.id == Review.household_id)
               .join(Member, Member.household_id == Household.id)
               .where(Review.decided_status == rules.POOR, Member.deleted_at.is_(None))
               .group_by(Household.hamlet_id))
    for hamlet_id, n in db.session.execute(persons):
        bucket(hamlet_id)["persons"] += n
    return out


def _rows(model, unit, year, user):
    stmt = select(model).where(in_unit(model, unit), model.year == year)
    return {row.unit_id: row for row in db.session.scalars(_scoped(stmt, model, user))}


class YearFigures:
    """The figures of review year `year` for `unit` and every unit beneath it (one pass)."""

    def __init__(self, unit: AdminUnit, year: int, user=None):
        self.unit, self.year = unit, year
        tree = db.session.execute(
            select(AdminUnit.id, AdminUnit.parent_id, AdminUnit.level)
            .where(AdminUnit.path.startswith(unit.path, autoescape=True))).all()
        self.children: dict[int, list[int]] = {}
        self.levels = {uid: level for uid, _p, level in tree}
        for uid, parent_id, _level in tree:
            if uid != unit.id:
                self.children.setdefault(parent_id, []).append(uid)
        self.counted = counted_by_hamlet(unit, year, user)
        self.frozen = _rows(YearFigure, unit, year, user)
        self.entered = _rows(HouseholdTotal, unit, year, user)
        self._memo: dict[int, Figures] = {}

    def of(self, unit_id: int) -> Figures:
        if unit_id not in self._memo:
            self._memo[unit_id] = self._compute(unit_id)
        return self._memo[unit_id]

    def _compute(self, unit_id: int) -> Figures:
        row = self.frozen.get(unit_id)
        if row is not None:
            return Figures({c: getattr(row, c) for c in COUNTS}, True, row.households_entered)
        if self.levels.get(unit_id) == HAMLET:
            figures = Figures(dict(self.counted.get(unit_id) or dict.fromkeys(COUNTS, 0)))
        else:
            parts = [self.of(child) for child in self.children.get(unit_id, [])]
            figures = Figures(frozen=bool(parts) and all(p.frozen for p in parts),
                              entered=any(p.entered for p in parts))
            for part in parts:
                for c in COUNTS:
                    figures.counts[c] += part.counts[c]
        total = self.entered.get(unit_id)
        if total is not None:
            figures.counts["households"], figures.entered = total.households, True
        return figures


def year_figures(unit: AdminUnit, year: int, user=None) -> YearFigures:
    return YearFigures(unit, year, user)


# Freezing -----------------------------------------------------------------------------------

def frozen_row(unit: AdminUnit, year: int) -> YearFigure | None:
    return db.session.scalar(select(YearFigure).where(YearFigure.unit_id == unit.id,
                                                      YearFigure.year == year))


def freeze_year(commune: AdminUnit, year: int, user=None, decision_number: str = "") -> YearFigure:
    """Freeze the figures of review year `year` of `commune` and each of its hamlets, as they
    stand now (the app's counts, entered totals where there are). Idempotent: a year frozen
    already keeps its figures (the commune's row is returned). The caller authorised the
    commune (the officer's own, or the round decision's) and commits."""
    existing = frozen_row(commune, year)
    if existing is not None:
        return existing
    from app.targets.services import ancestry     # services imports queries, not this module
    figures = YearFigures(commune, year, UNSCOPED)
    units = db.session.scalars(subtree(commune)).all()
    by_id = getattr(user, "id", None)
    made = None
    for unit in units:
        if unit.id in figures.frozen:
            continue
        f = figures.of(unit.id)
        row = YearFigure(year=year, households_entered=f.entered, frozen_by_id=by_id,
                         decision_number=decision_number or "", **f.counts, **ancestry(unit))
        db.session.add(row)
        if unit.id == commune.id:
            made = row
    db.session.flush()
    audit.record("freeze", "year_figure", made.id, None,
                 {"unit_id": commune.id, "year": year, **{c: getattr(made, c) for c in COUNTS},
                  "decision_number": made.decision_number})
    return made
