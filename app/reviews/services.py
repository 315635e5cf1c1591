"""Writes of the review domain: a household's yearly review, its path, rounds, meetings,
requests and exit proposals. The caller commits once."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.core import audit, clock
from app.core.text import clean
from app.core.versioning import claim_next_version
from app.extensions import db
from app.households.models import Household
from app.reviews import rules
from app.reviews.models import RURAL, URBAN, Indicator, PovertyStandard, Review, ReviewCause
from app.reviews.rules import RuleError

REVIEW_FIELDS = ("year", "review_type", "review_date", "income_per_capita", "score_a",
                 "has_labour", "policy_group", "needs", "decision_number", "decision_date",
                 "decided_status", "override_reason", "computed_status", "score_b")


def standard_for_review_year(year: int, *options) -> PovertyStandard:
    """The standard a review of `year` is classified under: the one governing the lists it
    identifies (rules.list_year). `options`: loader options for the caller's needs."""
    lists = rules.list_year(year)
    standard = db.session.scalar(select(PovertyStandard).where(PovertyStandard.governs(lists))
                                 .options(*options))
    if standard is None:
        raise RuleError(f"Chưa có chuẩn nghèo áp dụng cho danh sách năm {lists} "
                        f"(kỳ rà soát năm {year}).")
    return standard


def area_of(household: Household) -> str:
    return URBAN if household.hamlet.urban else RURAL


def indicators_by_code(standard: PovertyStandard, codes) -> list[Indicator]:
    """The standard's indicators named by `codes`; an unknown code is refused, not ignored."""
    known = {i.code: i for i in standard.indicators}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise RuleError(f"Chỉ số “{unknown[0]}” không thuộc chuẩn nghèo {standard.years_label}.")
    return [known[c] for c in dict.fromkeys(codes)]


@dataclass
class ReviewInput:
    year: int
    review_type: str
    review_date: date
    income_per_capita: int | None
    score_a: int | None
    indicator_codes: list[str]
    cause_codes: list[str]
    has_labour: bool | None
    policy_group: str | None
    needs: str
    decision_number: str | None
    decision_date: date | None
    decided_status: str | None
    override_reason: str | None


def preview(household: Household, year: int, indicator_codes, income=None, score_a=None):
    standard = standard_for_review_year(year)
    deprived = indicators_by_code(standard, indicator_codes)
    return standard, rules.classify(standard, area_of(household), deprived, income, score_a)


def save_review(household: Household, data: ReviewInput, user, review: Review | None = None,
                version=None) -> Review:
    standard, result = preview(household, data.year, data.indicator_codes,
                               data.income_per_capita, data.score_a)
    if data.decided_status and data.decided_status != result.status and not (data.override_reason or "").strip():
        raise RuleError("Phân loại được quyết định khác với kết quả tính theo chuẩn: cần ghi lý do.")
    if data.decided_status and not (data.decision_number and data.decision_date):
        raise RuleError("Cần số và ngày quyết định công nhận của UBND xã.")
    duplicate = select(Review.id).where(Review.household_id == household.id, Review.year == data.year)
    if review is not None:
        duplicate = duplicate.where(Review.id != review.id)
    if db.session.scalar(duplicate):
        raise RuleError(f"Hộ đã có kết quả rà soát năm {data.year}; hãy sửa bản ghi đó.")
    before = audit.snapshot(review, REVIEW_FIELDS) if review else None
    if review is None:
        review = Review(household_id=household.id, created_by_id=getattr(user, "id", None))
        for column in ("province_id", "district_id", "commune_id", "hamlet_id"):
            setattr(review, column, getattr(household, column))
        db.session.add(review)
    else:
        claim_next_version(review, version)
    review.year, review.standard_id, review.area = data.year, standard.id, area_of(household)
    review.review_type, review.review_date = data.review_type, data.review_date
    review.income_per_capita, review.score_a = data.income_per_capita, data.score_a
    review.deprivations = indicators_by_code(standard, data.indicator_codes)
    review.score_b, review.deprived_dimensions = result.score_b, result.dimensions
    review.computed_status = result.status
    review.causes = [ReviewCause(cause_code=c) for c in dict.fromkeys(data.cause_codes)]
    review.has_labour, review.policy_group = data.has_labour, data.policy_group
    review.needs = clean(data.needs)
    review.decision_number = clean(data.decision_number) or None
    review.decision_date, review.decided_status = data.decision_date, data.decided_status
    review.override_reason = (clean(data.override_reason) or None
                              if data.decided_status and data.decided_status != result.status else None)
    review.updated_at = clock.utcnow()
    db.session.flush()
    refresh_path(household)
    after = audit.snapshot(review, REVIEW_FIELDS)
    after["indicators"] = list(data.indicator_codes)
    audit.record("update" if before else "create", "review", review.id, before, after)
    return review


def refresh_path(household: Household):
    """Recompute the transitions of every decided review and the household's standing."""
    every = db.session.scalars(select(Review).where(Review.household_id == household.id)).all()
    reviews = [r for r in every if r.decided_status]
    path = rules.path([(r.year, r.decided_status) for r in reviews])
    for r in every:   # an undecided review has no transition (its decision may have been cleared)
        r.transition = path.transitions.get(r.year) if r.decided_status else None
    household.status, household.status_year = path.status, path.status_year
    household.exit_year, household.poor_since = path.exit_year, path.poor_since
    household.last_transition = path.transitions.get(path.status_year) if path.status_year else None
    if reviews:
        latest = max(reviews, key=lambda r: r.year)
        if latest.policy_group:
            household.policy_group = latest.policy_group
        if latest.has_labour is not None:
            household.has_no_labour_capacity = not latest.has_labour
