"""Exit proposals (đề nghị thoát nghèo): propose, withdraw, record the decision.

A household's path is derived from its decided reviews only, so recording the decision of a
proposal writes the decided status of that year's Review and recomputes the path; the
proposal itself only keeps the request, its evidence and the decision reference.
The caller loads the household and proposal through their scope and commits once."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.core import audit, clock
from app.core.i18n import N_
from app.core.text import clean
from app.core.versioning import claim_next_version
from app.extensions import db
from app.households.models import Household
from app.reviews import rules
from app.reviews.models import ExitProposal, Review
from app.reviews.rules import RuleError
from app.reviews.services import REVIEW_FIELDS, refresh_path

PROPOSAL_FIELDS = ("year", "from_status", "to_status", "evidence", "note", "state",
                   "decision_number", "decision_date", "version")
# Where a household on each list may be proposed to go: always "down", never sideways.
EXIT_TARGETS = {rules.POOR: (rules.NEAR_POOR, rules.MIDDLE, rules.NOT_POOR),
                rules.NEAR_POOR: (rules.MIDDLE, rules.NOT_POOR)}
SCOPE_COLUMNS = ("province_id", "district_id", "commune_id", "hamlet_id")
OVERRIDE_MAX = 500
NOT_IN_LISTS = N_("Hộ không thuộc danh sách hộ nghèo hoặc cận nghèo theo quyết định gần nhất; "
                  "không thể đề nghị thoát nghèo.")


class ExitRefused(RuleError):
    """A business rule refused the write; `field` names the form field to show it on."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass
class ExitInput:
    year: int
    to_status: str
    evidence: str
    note: str = ""


def open_proposal(household_id: int) -> ExitProposal | None:
    return db.session.scalar(select(ExitProposal).where(
        ExitProposal.household_id == household_id, ExitProposal.state == ExitProposal.PROPOSED))


def household_proposals(household_id: int) -> list[ExitProposal]:
    """Newest first. The caller has already loaded the household through its scope."""
    return db.session.scalars(select(ExitProposal).where(ExitProposal.household_id == household_id)
                              .order_by(ExitProposal.proposed_at.desc(), ExitProposal.id.desc())
                              ).unique().all()


def propose(household: Household, data: ExitInput, user) -> ExitProposal:
    if household.status not in EXIT_TARGETS:
        raise ExitRefused(NOT_IN_LISTS)
    if data.to_status not in EXIT_TARGETS[household.status]:
        raise ExitRefused("Hộ cận nghèo chỉ có thể đề nghị chuyển thành hộ có mức sống trung bình "
                          "hoặc hộ không nghèo." if household.status == rules.NEAR_POOR else
                          "Lựa chọn không hợp lệ.", "to_status")
    if household.status_year and data.year < household.status_year:
        raise ExitRefused(f"Năm đề nghị không được trước năm của quyết định gần nhất ({household.status_year}).",
                          "year")
    if open_proposal(household.id) is not None:
        raise ExitRefused("Hộ đã có một đề nghị thoát nghèo đang chờ quyết định; "
                          "hãy ghi quyết định hoặc rút đề nghị đó trước.")
    evidence = clean(data.evidence)
    if len(evidence) < 10:
        raise ExitRefused("Căn cứ từ 10 đến 4000 ký tự.", "evidence")
    proposal = ExitProposal(household_id=household.id, year=data.year,
                            from_status=household.status, to_status=data.to_status,
                            evidence=evidence, note=clean(data.note),
                            state=ExitProposal.PROPOSED, proposed_by_id=getattr(user, "id", None))
    for column in SCOPE_COLUMNS:
        setattr(proposal, column, getattr(household, column))
    db.session.add(proposal)
    db.session.flush()
    audit.record("create", "exit_proposal", proposal.id, None,
                 audit.snapshot(proposal, PROPOSAL_FIELDS) | {"household_id": household.id}, user)
    return proposal


def _claim(proposal: ExitProposal, version):
    """The version first: a form loaded before someone else decided or withdrew the proposal
    is a stale edit (409, the current state shown), not a rule refusal."""
    claim_next_version(proposal, version)
    if proposal.state != ExitProposal.PROPOSED:
        raise ExitRefused("Đề nghị này đã được quyết định hoặc đã rút; không thể thay đổi.")


def withdraw(proposal: ExitProposal, reason: str, version, user) -> ExitProposal:
    """The proposal stays (the list of proposals is history); the reason goes into its note
    and the audit log (the table has no column of its own for it)."""
    reason = clean(reason)
    if not reason:
        raise ExitRefused("Cần ghi lý do rút đề nghị.", "reason")
    before = audit.snapshot(proposal, PROPOSAL_FIELDS)
    _claim(proposal, version)
    proposal.state = ExitProposal.WITHDRAWN
    withdrawn = f"Rút đề nghị ngày {clock.today():%d/%m/%Y}: {reason}"
    proposal.note = f"{proposal.note}\n{withdrawn}" if proposal.note else withdrawn
    audit.record("withdraw", "exit_proposal", proposal.id, before,
                 audit.snapshot(proposal, PROPOSAL_FIELDS) | {"reason": reason}, user)
    return proposal


def override_reason(proposal: ExitProposal) -> str:
    label = "thoát cận nghèo" if proposal.from_status == rules.NEAR_POOR else "thoát nghèo"
    text = f"Theo đề nghị {label}: {proposal.evidence}"
    return text if len(text) <= OVERRIDE_MAX else text[:OVERRIDE_MAX - 1] + "…"


def decide(proposal: ExitProposal, household: Household, decision_number: str,
           decision_date: date, version, user) -> Review:
    """Record the commune's decision: that year's Review gets the proposal's status, the
    decision reference and, when it differs from the rule's result, the reason; then the
    household's path (transitions, status, exit year) is recomputed."""
    if proposal.household_id != household.id:
        raise ValueError("proposal and household do not match")
    number = clean(decision_number)
    if not number:
        raise ExitRefused("Không được để trống.", "decision_number")
    before_proposal = audit.snapshot(proposal, PROPOSAL_FIELDS)
    _claim(proposal, version)
    review = db.session.scalar(select(Review).where(Review.household_id == household.id,
                                                    Review.year == proposal.year))
    if review is None:
        raise ExitRefused(f"Cần nhập kết quả rà soát năm {proposal.year} trước khi ghi quyết định.")
    if decision_date < review.review_date:
        raise ExitRefused(f"Ngày quyết định không được trước ngày rà soát ({review.review_date:%d/%m/%Y}).",
                          "decision_date")
    before_review = audit.snapshot(review, REVIEW_FIELDS)
    # The review may be open in someone's edit form: bump its version so that save is refused.
    claim_next_version(review, review.version)
    proposal.state = ExitProposal.DECIDED
    proposal.decision_number, proposal.decision_date = number, decision_date
    proposal.decided_by_id = getattr(user, "id", None)
    review.decided_status = proposal.to_status
    review.decision_number, review.decision_date = number, decision_date
    review.override_reason = (override_reason(proposal)
                              if proposal.to_status != review.computed_status else None)
    review.updated_at = clock.utcnow()
    db.session.flush()
    refresh_path(household)
    audit.record("update", "review", review.id, before_review,
                 audit.snapshot(review, REVIEW_FIELDS), user)
    audit.record("decide", "exit_proposal", proposal.id, before_proposal,
                 audit.snapshot(proposal, PROPOSAL_FIELDS), user)
    return review
