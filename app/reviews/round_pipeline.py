"""A review round as a pipeline: where each household of the round stands, counted per hamlet
and per round, with what blocks the next step.

    to review → surveyed (a review of the round's year) → hamlet meeting passed (more than
    50 %; a failed meeting sends its households back to survey) → public posting ended with
    no open complaint → the commune's decision applied.

One rule in one place: `_stage` decides a household's step and blocker; the decision's
eligibility (round_decision) and every count read it. Households are read through `scoped()`;
the rounds have been loaded through their scope by the caller."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, false, select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core.i18n import N_
from app.core.scoping import scoped
from app.core.units import AdminUnit
from app.extensions import db
from app.households.models import Household
from app.reviews.models import HamletMeeting, Review, ReviewRound
from app.reviews.round_models import DecisionHousehold, RoundDecision, RoundPosting
from app.reviews.round_queries import commune_hamlets, covered

# The steps, in order; a household's stage is the last one it has reached.
TO_REVIEW, SURVEYED, MEETING_PASSED, POSTED, DECIDED = range(5)
STEP_LABELS = (N_("Cần rà soát"), N_("Đã rà soát (phiếu B)"), N_("Họp thôn đạt"),
               N_("Niêm yết xong"), N_("Đã có quyết định"))
# QĐ 24/2021/QĐ-TTg: the periodic review runs 1/9 – 14/12; a round's own end date wins.
PERIODIC_REVIEW_ENDS = (12, 14)

NOT_SURVEYED = N_("Chưa rà soát (chưa nhập phiếu B)")
NO_MEETING = N_("Chưa họp thôn")
MEETING_FAILED = N_("Họp thôn không đạt (không quá nửa số người dự đồng ý): rà soát lại")
AWAITS_MEETING = N_("Rà soát sau cuộc họp thôn gần nhất: chờ họp thôn lại")
NO_POSTING = N_("Chưa niêm yết công khai sau cuộc họp thôn")
POSTING_ONGOING = N_("Đang niêm yết, chưa hết thời hạn")
OPEN_COMPLAINT = N_("Còn khiếu nại chưa giải quyết")
NO_DECISION = N_("Chờ quyết định của UBND xã")
DECIDED_ELSEWHERE = N_("Đã có quyết định riêng cho hộ (ngoài quyết định của đợt)")
EXCLUDED = N_("Không đưa vào quyết định (có lý do)")


@dataclass
class HouseholdStep:
    household_id: int
    code: str
    head_name: str
    hamlet_id: int
    review_id: int | None
    review_version: int | None
    computed_status: str | None
    stage: int = TO_REVIEW
    blocker: str | None = None

    @property
    def ready(self) -> bool:
        """May be put under the round's decision now."""
        return self.stage == POSTED and self.blocker in (NO_DECISION, EXCLUDED)

    @property
    def excluded_before(self) -> bool:
        return self.blocker == EXCLUDED


@dataclass
class HamletPipeline:
    hamlet: AdminUnit | None
    meeting: HamletMeeting | None = None      # the latest
    posting: RoundPosting | None = None       # the latest
    open_complaints: int = 0
    households: list[HouseholdStep] = field(default_factory=list)

    @property
    def counts(self) -> list[int]:
        """Households at or past each step."""
        return [sum(1 for h in self.households if h.stage >= step) for step in range(len(STEP_LABELS))]

    @property
    def blockers(self) -> list[tuple[str, int]]:
        found: dict[str, int] = {}
        for h in self.households:
            if h.blocker:
                found[h.blocker] = found.get(h.blocker, 0) + 1
        return list(found.items())


@dataclass
class RoundPipeline:
    round: ReviewRound
    decision: RoundDecision | None
    hamlets: list[HamletPipeline]
    today: date

    @property
    def households(self) -> list[HouseholdStep]:
        return [h for row in self.hamlets for h in row.households]

    @property
    def counts(self) -> list[int]:
        rows = [row.counts for row in self.hamlets] or [[0] * len(STEP_LABELS)]
        return [sum(column) for column in zip(*rows)]

    @property
    def ready(self) -> list[HouseholdStep]:
        return [h for h in self.households if h.ready]

    @property
    def deadline(self) -> date:
        return self.round.ends_on or date(self.round.year, *PERIODIC_REVIEW_ENDS)

    @property
    def settled(self) -> bool:
        return all(h.stage == DECIDED or h.blocker == EXCLUDED for h in self.households)

    @property
    def late(self) -> bool:
        return self.today > self.deadline and not (self.households and self.settled)


def _latest(rows, key):
    latest = {}
    for row in sorted(rows, key=key):
        latest[(row.round_id, row.hamlet_id)] = row
    return latest


def _stage(step: HouseholdStep, review_date, decided_status, outcome, meeting, posting,
           open_complaints: int, today: date):
    """Where one household stands, and what keeps it there."""
    if outcome == DecisionHousehold.APPLIED:
        return DECIDED, None
    if step.review_id is None:
        return TO_REVIEW, NOT_SURVEYED
    if meeting is None:
        return SURVEYED, NO_MEETING
    if review_date > meeting.held_on:      # surveyed (again) after the meeting: meet again
        return SURVEYED, AWAITS_MEETING
    if not meeting.passed:
        return TO_REVIEW, MEETING_FAILED
    if posting is None or posting.posted_from < meeting.held_on:
        return MEETING_PASSED, NO_POSTING
    if not posting.ended(today):
        return MEETING_PASSED, POSTING_ONGOING
    if open_complaints:
        return MEETING_PASSED, OPEN_COMPLAINT
    if decided_status is not None:
        return POSTED, DECIDED_ELSEWHERE
    return POSTED, EXCLUDED if outcome == DecisionHousehold.EXCLUDED else NO_DECISION


def pipelines(rounds: list[ReviewRound], every_hamlet: bool = False, today: date | None = None,
              user=None) -> dict[int, RoundPipeline]:
    """The pipeline of each round: one household query per distinct year, one query each for
    decisions, meetings and postings (with complaints). `every_hamlet`: list the commune's
    active hamlets even when nothing is in them yet (one round's page)."""
    today = today or clock.today()
    ids = [r.id for r in rounds]
    if not ids:
        return {}
    decisions = {d.round_id: d for d in db.session.scalars(
        select(RoundDecision).where(RoundDecision.round_id.in_(ids)))}
    meetings = _latest(db.session.scalars(select(HamletMeeting).where(HamletMeeting.round_id.in_(ids))),
                       key=lambda m: (m.held_on, m.id))
    all_postings = db.session.scalars(select(RoundPosting).where(RoundPosting.round_id.in_(ids))
                                      .options(selectinload(RoundPosting.complaints))).unique().all()
    postings = _latest(all_postings, key=lambda p: (p.posted_from, p.id))
    open_complaints: dict[tuple, int] = {}
    for p in all_postings:   # every unresolved complaint of the hamlet counts, old postings too
        key = (p.round_id, p.hamlet_id)
        open_complaints[key] = open_complaints.get(key, 0) + len(p.open_complaints)

    rows: dict[int, dict[int, HamletPipeline]] = {r.id: {} for r in rounds}
    by_year: dict[int, list[ReviewRound]] = {}
    for r in rounds:
        by_year.setdefault(r.year, []).append(r)
    for year, group in by_year.items():
        round_of = {r.commune_id: r for r in group}
        decision_ids = [decisions[r.id].id for r in group if r.id in decisions]
        stmt = scoped(select(Household.id, Household.code, Household.head_name, Household.hamlet_id,
                             Household.commune_id, Review.id, Review.version, Review.computed_status,
                             Review.review_date, Review.decided_status, DecisionHousehold.outcome),
                      Household, user)
        stmt = (stmt.outerjoin(Review, and_(Review.household_id == Household.id, Review.year == year))
                .outerjoin(DecisionHousehold, and_(
                    DecisionHousehold.household_id == Household.id,
                    DecisionHousehold.decision_id.in_(decision_ids) if decision_ids else false()))
                .where(covered(year, list(round_of)))
                .order_by(Household.head_name_folded, Household.id))
        for (hid, code, head, hamlet_id, commune_id, review_id, version, computed, review_date,
             decided_status, outcome) in db.session.execute(stmt):
            round_ = round_of[commune_id]
            key = (round_.id, hamlet_id)
            row = rows[round_.id].setdefault(hamlet_id, HamletPipeline(None))
            step = HouseholdStep(hid, code, head, hamlet_id, review_id, version, computed)
            step.stage, step.blocker = _stage(step, review_date, decided_status, outcome,
                                              meetings.get(key), postings.get(key),
                                              open_complaints.get(key, 0), today)
            row.households.append(step)

    for key, value in list(meetings.items()) + list(postings.items()):
        rows[key[0]].setdefault(key[1], HamletPipeline(None))
    if every_hamlet:
        for r in rounds:
            for hamlet in commune_hamlets(r.commune_id, active_only=True):
                rows[r.id].setdefault(hamlet.id, HamletPipeline(hamlet))
    hamlet_ids = {h for by_hamlet in rows.values() for h in by_hamlet}
    units = {u.id: u for u in db.session.scalars(select(AdminUnit).where(AdminUnit.id.in_(hamlet_ids)))}
    result = {}
    for r in rounds:
        hamlets = []
        for hamlet_id, row in rows[r.id].items():
            key = (r.id, hamlet_id)
            row.hamlet = units.get(hamlet_id)
            row.meeting, row.posting = meetings.get(key), postings.get(key)
            row.open_complaints = open_complaints.get(key, 0)
            hamlets.append(row)
        hamlets.sort(key=lambda row: (row.hamlet.name if row.hamlet else "", row.hamlet and row.hamlet.id))
        result[r.id] = RoundPipeline(r, decisions.get(r.id), hamlets, today)
    return result


def pipeline(round_: ReviewRound, today: date | None = None, user=None) -> RoundPipeline:
    return pipelines([round_], every_hamlet=True, today=today, user=user)[round_.id]
