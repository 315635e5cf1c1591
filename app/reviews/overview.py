"""Reads behind the exit pipeline and the transitions overview. Every query goes through the
user's scope (core.scoping) and counts with GROUP BY in SQL."""
from dataclasses import dataclass, field

from flask_login import current_user
from sqlalchemy import func, select

from app.core import clock
from app.core.scoping import scoped, unit_in_scope_or_none, units_in_scope
from app.core.units import COMMUNE, AdminUnit
from app.core.users import User
from app.extensions import db
from app.households.models import Household
from app.reviews import rules, transitions
from app.reviews.models import ExitProposal, Review

GROUP_LIMIT = 200           # rows shown per pipeline group (the counts are always complete)
STILL_POOR_YEARS = transitions.STILL_POOR_YEARS
CHART_TRANSITIONS = (rules.ESCAPED, rules.RELAPSED, rules.NEWLY_POOR)


def _year(raw) -> int | None:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


def user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.full_name or u.username
            for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def communes_in_scope() -> list[AdminUnit]:
    return db.session.scalars(units_in_scope(COMMUNE)).all()


# Exit pipeline ------------------------------------------------------------------------------

@dataclass
class PipelineParams:
    year: int | None = None
    commune: AdminUnit | None = None

    @classmethod
    def from_args(cls, args) -> "PipelineParams":
        commune = args.get("commune")
        return cls(_year(args.get("year")),
                   unit_in_scope_or_none(commune, COMMUNE) if commune else None)

    def query_args(self, **changes) -> dict:
        args = {"year": self.year, "commune": self.commune.id if self.commune else None}
        args.update(changes)
        return {k: v for k, v in args.items() if v is not None}


@dataclass
class Group:
    code: str
    count: int
    rows: list = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)


def _proposals(params: PipelineParams):
    stmt = (scoped(select(ExitProposal), ExitProposal)
            .join(Household, Household.id == ExitProposal.household_id)
            .where(Household.deleted_at.is_(None)))
    if params.year:
        stmt = stmt.where(ExitProposal.year == params.year)
    if params.commune:
        stmt = stmt.where(ExitProposal.commune_id == params.commune.id)
    return stmt


def _relapsed(params: PipelineParams):
    stmt = scoped(select(Household), Household).where(Household.last_transition == rules.RELAPSED)
    if params.year:
        stmt = stmt.where(Household.status_year == params.year)
    if params.commune:
        stmt = stmt.where(Household.commune_id == params.commune.id)
    return stmt


def pipeline(params: PipelineParams) -> dict[str, Group]:
    proposals = _proposals(params)
    counts = dict(db.session.execute(
        proposals.with_only_columns(ExitProposal.state, func.count())
        .group_by(ExitProposal.state)).all())
    groups = {}
    for state, order in ((ExitProposal.PROPOSED, (ExitProposal.proposed_at, ExitProposal.id)),
                         (ExitProposal.DECIDED, (ExitProposal.decision_date.desc(), ExitProposal.id.desc()))):
        rows = db.session.scalars(proposals.where(ExitProposal.state == state)
                                  .order_by(*order).limit(GROUP_LIMIT)).unique().all()
        groups[state] = Group(state, counts.get(state, 0), rows)
    relapsed = _relapsed(params)
    groups["relapsed"] = Group(
        "relapsed", db.session.scalar(relapsed.with_only_columns(func.count()).order_by(None)),
        db.session.scalars(relapsed.order_by(Household.status_year.desc(), Household.head_name_folded)
                           .limit(GROUP_LIMIT)).unique().all())
    groups["withdrawn"] = Group(ExitProposal.WITHDRAWN, counts.get(ExitProposal.WITHDRAWN, 0))
    return groups


def pipeline_years() -> list[int]:
    """Years offered by the filter: those of proposals and decided reviews in scope."""
    years = set(db.session.scalars(scoped(select(ExitProposal.year).distinct(), ExitProposal)))
    years |= set(review_years())
    return sorted(years, reverse=True)


# Transitions overview -----------------------------------------------------------------------

def review_years() -> list[int]:
    """Years with decided reviews in scope, newest first."""
    return list(db.session.scalars(
        scoped(select(Review.year).where(Review.decided_status.is_not(None)).distinct(), Review)
        .order_by(Review.year.desc())))


def resolve_year(raw, years: list[int]) -> tuple[int, bool]:
    """(year to show, whether the requested one was refused). A year that is not a number or
    lies outside the years with decided reviews falls back to the latest of them."""
    fallback = years[0] if years else clock.today().year
    if raw in (None, ""):
        return fallback, False
    year = _year(raw)
    if year is None or (years and not years[-1] <= year <= years[0]):
        return fallback, True
    return year, False


@dataclass
class OverviewRow:
    commune: AdminUnit | None        # None: the totals row
    transitions: dict[str, int]
    still_poor: dict[int, int]

    @property
    def has_chart_values(self) -> bool:
        return any(self.transitions[t] for t in CHART_TRANSITIONS)


def transition_counts(year: int) -> dict[tuple[int, str], int]:
    """(commune id, transition) → households whose decided review of `year` has it."""
    stmt = scoped(
        select(Review.commune_id, Review.transition, func.count(Review.id))
        .join(Household, Household.id == Review.household_id)
        .where(Review.year == year, Review.decided_status.is_not(None),
               Review.transition.is_not(None), Household.deleted_at.is_(None))
        .group_by(Review.commune_id, Review.transition), Review)
    return {(commune_id, transition): n for commune_id, transition, n in db.session.execute(stmt)}


def still_poor_counts(year: int) -> dict[int, dict[int, int]]:
    """commune id → {N: households poor at the end of `year` without a break since year − N + 1},
    from the decided reviews up to `year` (app.reviews.transitions), not today's status."""
    unit = getattr(current_user, "unit", None)
    return transitions.compute(unit, year, by="commune_id").still_poor


def overview(year: int) -> tuple[list[OverviewRow], OverviewRow]:
    """One row per commune in scope (communes with counts but no longer active included),
    and the totals row."""
    counts, poor = transition_counts(year), still_poor_counts(year)
    communes = {c.id: c for c in communes_in_scope()}
    missing = ({commune_id for commune_id, _ in counts} | set(poor)) - set(communes)
    if missing:
        communes.update({c.id: c for c in db.session.scalars(
            select(AdminUnit).where(AdminUnit.id.in_(missing)))})
    rows = [OverviewRow(c, {t: counts.get((c.id, t), 0) for t in rules.TRANSITIONS},
                        {n: poor.get(c.id, {}).get(n, 0) for n in STILL_POOR_YEARS})
            for c in sorted(communes.values(), key=lambda c: (c.name, c.id))]
    totals = OverviewRow(None, {t: sum(r.transitions[t] for r in rows) for t in rules.TRANSITIONS},
                         {n: sum(r.still_poor[n] for r in rows) for n in STILL_POOR_YEARS})
    return rows, totals


# Bar chart (server-side SVG: no script, nothing from a CDN) ----------------------------------

CHART_COLOURS = {rules.ESCAPED: "#1e7b34", rules.RELAPSED: "#b3261e", rules.NEWLY_POOR: "#c77c02"}
LABEL_WIDTH, BAR_AREA, BAR_HEIGHT, BAR_GAP, GROUP_GAP, TOP = 190, 380, 12, 2, 12, 8


def chart(rows: list[OverviewRow]) -> dict | None:
    """Geometry of a grouped horizontal bar chart: escaped, relapsed and newly poor per
    commune (communes with none of the three are left out)."""
    shown = [r for r in rows if r.has_chart_values]
    if not shown:
        return None
    top = max(r.transitions[t] for r in shown for t in CHART_TRANSITIONS)
    group_height = len(CHART_TRANSITIONS) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    groups = []
    for i, row in enumerate(shown):
        y = TOP + i * group_height
        name = row.commune.name
        bars = []
        for j, t in enumerate(CHART_TRANSITIONS):
            value = row.transitions[t]
            bars.append({"code": t, "value": value, "colour": CHART_COLOURS[t],
                         "y": y + j * (BAR_HEIGHT + BAR_GAP),
                         "width": round(BAR_AREA * value / top, 1) if top else 0})
        groups.append({"name": name if len(name) <= 26 else name[:25] + "…",
                       "full_name": name, "y": y, "label_y": y + group_height // 2 - 2,
                       "bars": bars})
    return {"groups": groups, "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT,
            "width": LABEL_WIDTH + BAR_AREA + 50, "height": TOP + len(shown) * group_height,
            "colours": CHART_COLOURS, "transitions": CHART_TRANSITIONS}
