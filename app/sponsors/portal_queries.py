"""Reads for the sponsor portal: minimal data only.

A sponsor user's scope (core.scoping) is the households of its ACTIVE assignments, the plan
items it is responsible for there and the supports it provided there. Everything here starts
from scoped(); the member count, the latest review's needs and the sponsor's own commitment are
then read for those household ids only, one column each. Nothing here loads a member: no name
but the head's (stored on the household), no CCCD, ethnicity, disability, health insurance or
birth date can reach a sponsor page."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_login import current_user
from sqlalchemy import func, select

from app.core import clock
from app.core.scoping import scoped
from app.extensions import db
from app.households.models import Household, Member
from app.reviews.models import Review
from app.sponsors.models import Assignment
from app.supports.models import PlanItem, Support

OPEN_PLAN = ("planned", "in_progress")
VERIFICATION_STATES = ("verified", "pending", "rejected")
COUNTED = ("verified", "pending")     # as the ledger counts: a rejected entry never counts


@dataclass
class PortalHousehold:
    """What a sponsor may know about a household it adopts."""
    id: int
    head_name: str
    hamlet: str
    size: int
    needs: str
    commitment: str
    since: date | None
    plan_items: list = field(default_factory=list)


def _households(ids=None) -> list[Household]:
    stmt = scoped(select(Household)).order_by(Household.head_name_folded, Household.id)
    if ids is not None:
        stmt = stmt.where(Household.id.in_(ids))
    return db.session.scalars(stmt).all()


def _cards(households, plan_statuses=OPEN_PLAN) -> list[PortalHousehold]:
    ids = [h.id for h in households]
    if not ids:
        return []
    sizes = dict(db.session.execute(
        select(Member.household_id, func.count(Member.id))
        .where(Member.household_id.in_(ids), Member.deleted_at.is_(None))
        .group_by(Member.household_id)).all())
    needs = {}
    for hid, text in db.session.execute(select(Review.household_id, Review.needs).where(
            Review.household_id.in_(ids)).order_by(Review.year, Review.id)):
        needs[hid] = text or ""          # the latest review's wins
    commitments = {}
    for hid, text, since in db.session.execute(
            select(Assignment.household_id, Assignment.commitment, Assignment.starts_on).where(
                Assignment.sponsor_id == current_user.sponsor_id, Assignment.household_id.in_(ids),
                Assignment.active_on(clock.today())).order_by(Assignment.starts_on)):
        commitments[hid] = (text or "", since)
    items = defaultdict(list)
    stmt = scoped(select(PlanItem)).where(PlanItem.household_id.in_(ids))
    if plan_statuses:
        stmt = stmt.where(PlanItem.status.in_(plan_statuses))
    for item in db.session.scalars(stmt.order_by(PlanItem.due_on.is_(None), PlanItem.due_on,
                                                 PlanItem.id)):
        items[item.household_id].append(item)
    return [PortalHousehold(id=h.id, head_name=h.head_name, hamlet=h.hamlet.name,
                            size=sizes.get(h.id, 0), needs=needs.get(h.id, ""),
                            commitment=commitments.get(h.id, ("", None))[0],
                            since=commitments.get(h.id, ("", None))[1], plan_items=items[h.id])
            for h in households]


def home_cards() -> list[PortalHousehold]:
    return _cards(_households())


def household_card(household) -> PortalHousehold:
    """One household (already loaded through get_scoped_or_404), with all of its plan items
    for this sponsor, open or not."""
    return _cards([household], plan_statuses=None)[0]


def open_plan_items(household_id: int) -> list[PlanItem]:
    return db.session.scalars(scoped(select(PlanItem)).where(
        PlanItem.household_id == household_id, PlanItem.status.in_(OPEN_PLAN))
        .order_by(PlanItem.due_on.is_(None), PlanItem.due_on, PlanItem.id)).all()


def supports(household_id: int | None = None) -> list[Support]:
    """Supports this sponsor provided (its own entries and their reversals), newest first."""
    stmt = scoped(select(Support))
    if household_id is not None:
        stmt = stmt.where(Support.household_id == household_id)
    return db.session.scalars(stmt.order_by(Support.delivered_on.desc(), Support.id.desc())).all()


def totals(rows: list[Support]) -> dict:
    """Sums in VND by verification state and by year × state; the totals ("all", each year's)
    count verified and pending entries, reversals included (they net to zero)."""
    by_state = dict.fromkeys(VERIFICATION_STATES, 0)
    by_year = defaultdict(lambda: dict.fromkeys(VERIFICATION_STATES, 0))
    counts = dict.fromkeys(VERIFICATION_STATES, 0)
    for s in rows:
        state = s.verification if s.verification in by_state else "pending"
        by_state[state] += s.value_vnd
        counts[state] += 1
        by_year[s.delivered_on.year][state] += s.value_vnd
    return {"all": sum(by_state[s] for s in COUNTED), "by_state": by_state, "counts": counts,
            "by_year": [(year, by_year[year], sum(by_year[year][s] for s in COUNTED))
                        for year in sorted(by_year, reverse=True)]}


def head_names(household_ids) -> dict[int, str]:
    """Head names of the households (in scope) the listed supports went to."""
    return {h.id: h.head_name for h in _households(set(household_ids))} if household_ids else {}
