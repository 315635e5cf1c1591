"""Reads of a commune's review round: which households it covers, progress by hamlet, the
households not yet reviewed, meetings and requests. Every household read goes through
`scoped()`; the round itself has already been loaded through its scope by the caller."""
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select

from app.core.paging import paginate
from app.core.scoping import scoped
from app.core.units import HAMLET, AdminUnit
from app.extensions import db
from app.households.models import Household
from app.reviews.models import HamletMeeting, Review, ReviewRequest, ReviewRound

# Households on these lists at the start of the round are reviewed in it.
LISTED_STATUSES = ("poor", "near_poor")


def covered(year: int, commune_ids):
    """The households a round covers: poor or near-poor now, or with a review request for the
    round's year — plus those already reviewed that year, so that a decision taking a
    household off the lists (its status becomes not_poor) never takes it out of the round it
    was reviewed in. `commune_ids`: one round's commune, or a page of rounds of one year."""
    requested = select(ReviewRequest.household_id).where(
        ReviewRequest.year == year, ReviewRequest.commune_id.in_(commune_ids))
    reviewed = select(Review.household_id).where(Review.year == year)
    return and_(Household.commune_id.in_(commune_ids),
                or_(Household.status.in_(LISTED_STATUSES), Household.id.in_(requested),
                    Household.id.in_(reviewed)))


def in_round(round_: ReviewRound):
    return covered(round_.year, [round_.commune_id])


def _with_review(stmt, year):
    # At most one review per household and year (uq_review_household_year).
    return stmt.outerjoin(Review, and_(Review.household_id == Household.id, Review.year == year))


def commune_hamlets(commune_id: int, active_only: bool = False) -> list[AdminUnit]:
    stmt = select(AdminUnit).where(AdminUnit.parent_id == commune_id, AdminUnit.level == HAMLET)
    if active_only:
        stmt = stmt.where(AdminUnit.is_active.is_(True))
    return db.session.scalars(stmt.order_by(AdminUnit.name)).all()


@dataclass
class HamletProgress:
    hamlet: AdminUnit | None
    to_review: int = 0
    reviewed: int = 0
    meeting: HamletMeeting | None = None   # the latest one

    @property
    def pending(self) -> int:
        return self.to_review - self.reviewed

    @property
    def needs_resurvey(self) -> bool:
        return self.meeting is not None and self.meeting.needs_resurvey


@dataclass
class RoundProgress:
    hamlets: list[HamletProgress] = field(default_factory=list)

    @property
    def to_review(self) -> int:
        return sum(h.to_review for h in self.hamlets)

    @property
    def reviewed(self) -> int:
        return sum(h.reviewed for h in self.hamlets)

    @property
    def pending(self) -> int:
        return self.to_review - self.reviewed

    @property
    def flagged(self) -> list[HamletProgress]:
        return [h for h in self.hamlets if h.needs_resurvey]


def _latest(meetings) -> dict[int, HamletMeeting]:
    """Each hamlet's latest meeting: a hamlet re-surveyed and met again is judged on the new one."""
    latest = {}
    for meeting in sorted(meetings, key=lambda m: (m.held_on, m.id)):
        latest[meeting.hamlet_id] = meeting
    return latest


def round_progress(round_: ReviewRound, user=None) -> RoundProgress:
    """To review / reviewed per hamlet of the round's commune (every hamlet, even empty)."""
    stmt = _with_review(scoped(select(Household.hamlet_id, func.count(Household.id),
                                      func.count(Review.id)), Household, user), round_.year)
    counts = {hamlet_id: (total, done) for hamlet_id, total, done in db.session.execute(
        stmt.where(in_round(round_)).group_by(Household.hamlet_id)).all()}
    meetings = _latest(round_.meetings)
    rows = []
    for hamlet in commune_hamlets(round_.commune_id):
        total, done = counts.pop(hamlet.id, (0, 0))
        if total or hamlet.is_active or hamlet.id in meetings:
            rows.append(HamletProgress(hamlet, total, done, meetings.get(hamlet.id)))
    for hamlet_id, (total, done) in counts.items():   # households left in a moved hamlet
        rows.append(HamletProgress(db.session.get(AdminUnit, hamlet_id), total, done))
    return RoundProgress(rows)


def pending_households(round_: ReviewRound, hamlet_id: int | None = None, user=None):
    """Households of the round without a review for its year, by hamlet then head name."""
    stmt = _with_review(scoped(select(Household), Household, user), round_.year).where(
        in_round(round_), Review.id.is_(None))
    if hamlet_id:
        stmt = stmt.where(Household.hamlet_id == hamlet_id)
    stmt = stmt.join(AdminUnit, AdminUnit.id == Household.hamlet_id)
    return db.session.scalars(stmt.order_by(AdminUnit.name, Household.head_name_folded,
                                            Household.id)).all()


def round_requests(round_: ReviewRound, user=None):
    """(request, household, reviewed) of the round's commune and year, newest first."""
    stmt = scoped(select(ReviewRequest, Household, Review.id.is_not(None)), ReviewRequest, user)
    stmt = _with_review(stmt.join(Household, Household.id == ReviewRequest.household_id),
                        round_.year)
    stmt = stmt.where(ReviewRequest.commune_id == round_.commune_id,
                      ReviewRequest.year == round_.year)
    return db.session.execute(stmt.order_by(ReviewRequest.requested_on.desc(),
                                            ReviewRequest.id.desc())).all()


def household_by_code(round_: ReviewRound, code: str, user=None) -> Household | None:
    """A household of the round's commune named by its code, only if the user may read it.
    Exact code first; otherwise a case-insensitive match when it is unambiguous."""
    base = scoped(select(Household), Household, user).where(
        Household.commune_id == round_.commune_id)
    found = db.session.scalar(base.where(Household.code == code))
    if found is None:
        matches = db.session.scalars(base.where(func.lower(Household.code) == code.lower())
                                     .limit(2)).all()
        found = matches[0] if len(matches) == 1 else None
    return found


def rounds_in_scope(year: int | None = None, user=None):
    stmt = scoped(select(ReviewRound), ReviewRound, user)
    if year:
        stmt = stmt.where(ReviewRound.year == year)
    return stmt


def round_years(user=None) -> list[int]:
    stmt = scoped(select(ReviewRound.year).distinct(), ReviewRound, user)
    return sorted(db.session.scalars(stmt).all(), reverse=True)


def rounds_page(year: int | None, page: int, page_size: int, user=None):
    """(rounds, total) for one page, newest year first, then commune name."""
    found = paginate(rounds_in_scope(year, user)
                     .join(AdminUnit, AdminUnit.id == ReviewRound.commune_id)
                     .order_by(ReviewRound.year.desc(), AdminUnit.name, ReviewRound.id),
                     page, page_size, unique=True)
    return found.rows, found.total


@dataclass
class RoundSummary:
    round: ReviewRound
    to_review: int
    reviewed: int
    meetings: int
    flagged: int


def summaries(rounds, user=None) -> list[RoundSummary]:
    """Progress, meeting and flag counts for a page of rounds: one grouped household query per
    distinct year on the page, one meeting query."""
    by_year: dict[int, list[ReviewRound]] = {}
    for r in rounds:
        by_year.setdefault(r.year, []).append(r)
    counts = {}
    for year, group in by_year.items():
        stmt = _with_review(scoped(select(Household.commune_id, func.count(Household.id),
                                          func.count(Review.id)), Household, user), year)
        stmt = stmt.where(covered(year, [r.commune_id for r in group])).group_by(Household.commune_id)
        for commune_id, total, done in db.session.execute(stmt).all():
            counts[(commune_id, year)] = (total, done)
    meetings: dict[int, list[HamletMeeting]] = {r.id: [] for r in rounds}
    if rounds:
        for m in db.session.scalars(select(HamletMeeting).where(
                HamletMeeting.round_id.in_([r.id for r in rounds]))):
            meetings[m.round_id].append(m)
    result = []
    for r in rounds:
        latest = _latest(meetings[r.id])
        total, done = counts.get((r.commune_id, r.year), (0, 0))
        result.append(RoundSummary(r, total, done, len(meetings[r.id]),
                                   sum(1 for m in latest.values() if m.needs_resurvey)))
    return result
