"""The commune's one decision for a round: recorded once (number, date, list year), then applied
to every household whose hamlet meeting passed and whose posting ended without an open
complaint (round_pipeline decides which), with per-household exceptions.

Applying writes each household's review the way an individual decision does (the decision
reference, the decided status, the reason when it differs from the computed one) and
recomputes the household's path with `services.refresh_path` — the one rule for transitions
and standing. Every household goes in the caller's one transaction; a review changed since the
officer saw it (its version) is reported, not overwritten; a household already under the
decision is skipped, so applying again never applies twice."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit, clock
from app.core.scoping import scoped
from app.core.text import clean
from app.core.versioning import StaleEdit, claim_next_version
from app.extensions import db
from app.households.models import Household
from app.reviews import rules
from app.reviews.models import Review, ReviewRound
from app.reviews.round_models import DecisionHousehold, RoundDecision
from app.reviews.round_pipeline import DECIDED, HouseholdStep, RoundPipeline
from app.reviews.round_services import RefusedChange, refuse_future
from app.reviews.services import REVIEW_FIELDS, refresh_path

DECISION_FIELDS = ("round_id", "number", "decided_on", "list_year", "note")
REASON_MAX = 500


@dataclass
class Choice:
    """What the officer chose for one household listed on the decision page."""
    household_id: int
    version: int | None                  # the review's version when the page was shown
    exclude: bool = False
    status: str | None = None            # a decided status other than the computed one
    reason: str = ""


@dataclass
class Outcome:
    applied: list[HouseholdStep] = field(default_factory=list)
    excluded: list[HouseholdStep] = field(default_factory=list)
    already: list[HouseholdStep] = field(default_factory=list)
    conflicts: list[tuple[HouseholdStep, Review]] = field(default_factory=list)   # 409 each
    refused: list[tuple[HouseholdStep, str]] = field(default_factory=list)


def decision_of(round_: ReviewRound) -> RoundDecision | None:
    return db.session.scalar(select(RoundDecision).where(RoundDecision.round_id == round_.id))


def record_decision(round_: ReviewRound, number: str, decided_on: date, list_year: int,
                    note: str, user) -> RoundDecision:
    existing = decision_of(round_)
    if existing is not None:
        raise RefusedChange("number", _("Đợt rà soát này đã có quyết định số %(number)s.",
                                        number=existing.number))
    if list_year != rules.list_year(round_.year):
        raise RefusedChange("list_year", _("Đợt rà soát năm %(year)s xác định danh sách năm %(lists)s.",
                                           year=round_.year, lists=rules.list_year(round_.year)))
    refuse_future("decided_on", decided_on)
    decision = RoundDecision(round_id=round_.id, number=clean(number), decided_on=decided_on,
                             list_year=list_year, note=clean(note),
                             recorded_by_id=getattr(user, "id", None))
    db.session.add(decision)
    db.session.flush()
    audit.record("create", "round_decision", decision.id,
                 after=audit.snapshot(decision, DECISION_FIELDS))
    return decision


def check_choices(pipeline: RoundPipeline, choices: list[Choice]) -> dict[int, str]:
    """Per household, what is wrong with the officer's exception (nothing is applied then)."""
    computed = {h.household_id: h.computed_status for h in pipeline.households}
    errors = {}
    for c in choices:
        if c.status and c.status not in rules.STATUSES:
            errors[c.household_id] = _("Phân loại không hợp lệ.")
        elif len(c.reason) > REASON_MAX:
            errors[c.household_id] = _("Lý do không được dài quá %(max)s ký tự.", max=REASON_MAX)
        elif c.exclude and not c.reason:
            errors[c.household_id] = _("Cần ghi lý do không đưa hộ vào quyết định.")
        elif (not c.exclude and c.status and c.status != computed.get(c.household_id)
              and not c.reason):
            errors[c.household_id] = _("Phân loại khác kết quả tính theo chuẩn: cần ghi lý do.")
    return errors


def _row(decision: RoundDecision, household: Household) -> DecisionHousehold:
    row = db.session.scalar(select(DecisionHousehold).where(
        DecisionHousehold.decision_id == decision.id,
        DecisionHousehold.household_id == household.id))
    if row is None:
        row = DecisionHousehold(decision_id=decision.id, household_id=household.id)
        for column in ("province_id", "district_id", "commune_id", "hamlet_id"):
            setattr(row, column, getattr(household, column))
        db.session.add(row)
    return row


def _decide(review: Review, household: Household, decision: RoundDecision, status: str,
            reason: str, user):
    before = audit.snapshot(review, REVIEW_FIELDS)
    review.decided_status = status
    review.decision_number, review.decision_date = decision.number, decision.decided_on
    review.override_reason = reason if status != review.computed_status else None
    review.updated_at = clock.utcnow()
    db.session.flush()
    refresh_path(household)
    audit.record("update", "review", review.id, before, audit.snapshot(review, REVIEW_FIELDS)
                 | {"round_decision_id": decision.id}, user)


def apply_decision(decision: RoundDecision, pipeline: RoundPipeline, choices: list[Choice],
                   user) -> Outcome:
    """Apply the decision to the households chosen on the page. The caller has checked the
    choices (check_choices) and commits once."""
    steps = {h.household_id: h for h in pipeline.households}
    outcome = Outcome()
    for choice in choices:
        step = steps.get(choice.household_id)
        if step is None:     # not a household of this round that the user may read
            continue
        if step.stage == DECIDED:
            outcome.already.append(step)
            continue
        if not step.ready:
            outcome.refused.append((step, step.blocker))
            continue
        household = db.session.get(Household, step.household_id)
        review = db.session.get(Review, step.review_id)
        if choice.exclude:
            row = _row(decision, household)
            row.outcome, row.review_id = DecisionHousehold.EXCLUDED, review.id
            row.decided_status, row.reason = None, clean(choice.reason)
            row.applied_by_id, row.applied_at = getattr(user, "id", None), clock.utcnow()
            outcome.excluded.append(step)
            continue
        if decision.decided_on < review.review_date:
            outcome.refused.append((step, _("Ngày quyết định trước ngày rà soát (%(date)s).",
                                            date=f"{review.review_date:%d/%m/%Y}")))
            continue
        try:   # someone edited this review since the page was shown: report it, keep theirs
            claim_next_version(review, choice.version)
        except StaleEdit:
            outcome.conflicts.append((step, review))
            continue
        status = choice.status or review.computed_status
        reason = clean(choice.reason) or None
        _decide(review, household, decision, status, reason, user)
        row = _row(decision, household)
        row.outcome, row.review_id, row.decided_status = DecisionHousehold.APPLIED, review.id, status
        row.reason = review.override_reason
        row.applied_by_id, row.applied_at = getattr(user, "id", None), clock.utcnow()
        step.stage, step.blocker = DECIDED, None
        outcome.applied.append(step)
    db.session.flush()
    audit.record("apply", "round_decision", decision.id, after={
        "applied": [s.household_id for s in outcome.applied],
        "excluded": [s.household_id for s in outcome.excluded],
        "conflicts": [s.household_id for s, _r in outcome.conflicts]}, user=user)
    return outcome


def decision_households(decision: RoundDecision):
    """(row, household) of a decision the user may read, applied first, by household code."""
    return db.session.execute(
        scoped(select(DecisionHousehold, Household), DecisionHousehold)
        .join(Household, Household.id == DecisionHousehold.household_id)
        .where(DecisionHousehold.decision_id == decision.id)
        .order_by(DecisionHousehold.outcome, Household.code)).all()
