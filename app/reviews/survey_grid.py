"""Bulk survey entry for one hamlet of a review round: one row per household of the round, each
row a small form saved on its own.

A row holds only what the survey measures (income or score A, the deprived indicators of the
applicable standard, the causes); everything else of the review is what the single-household
form would put there — carried over from the household's latest review, or kept from the
review being edited — so a row saved here is the review that form saves (services.save_review,
the one write, with the one rule). A review already decided by the commune is shown, not
edited: a correction after the decision goes through the household's own form."""
import secrets
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload
from wtforms import HiddenField, IntegerField
from wtforms.validators import NumberRange, Optional

from app.core import lookups
from app.core.forms import AppForm
from app.core.paging import paginate
from app.core.scoping import scoped
from app.extensions import db
from app.households.models import Household
from app.reviews import services
from app.reviews.forms import CheckboxesField, MoneyField
from app.reviews.models import PovertyStandard, Review, ReviewRound
from app.reviews.queries import household_reviews
from app.reviews.round_queries import in_round
from app.reviews.rules import RuleError


class RowForm(AppForm):
    """One household's row. Prefixed with the household id, so 80 rows have unique ids."""
    version = HiddenField()
    income_per_capita = MoneyField(_l("Thu nhập bình quân (đồng/người/tháng)"))
    score_a = IntegerField(_l("Điểm A"), validators=[
        Optional(), NumberRange(min=0, max=1000, message=_l("Điểm A từ 0 đến 1000."))])
    # Unknown codes are refused by the service with the standard's own message.
    indicators = CheckboxesField(_l("Chỉ số thiếu hụt"), choices=[], validate_choice=False)
    causes = CheckboxesField(_l("Nguyên nhân nghèo"), choices=[])

    def fill_choices(self, standard: PovertyStandard | None, causes):
        self.indicators.choices = [(i.code, i.label) for i in standard.indicators] if standard else []
        self.causes.choices = causes


def row_prefix(household_id: int) -> str:
    return f"h{household_id}"


def row_form(household: Household, standard, causes, formdata) -> RowForm:
    """The row's posted form (its fields prefixed with the household id)."""
    form = RowForm(formdata=formdata, prefix=row_prefix(household.id))
    form.fill_choices(standard, causes)
    return form


def cause_choices():
    return lookups.choices("poverty_cause")


def cause_keys(n: int) -> list[str]:
    """Column keys of the causes (a, b, c…): indicators already own the numbers 1–12."""
    return [chr(ord("a") + i) if i < 26 else str(i + 1) for i in range(n)]


@dataclass
class Values:
    """What a row's inputs show. The page renders its inputs from these by hand: 80 rows of
    ~30 WTForms widgets each took seconds to render, plain markup takes milliseconds."""
    income: str = ""
    score_a: str = ""
    indicators: frozenset = frozenset()
    causes: frozenset = frozenset()
    version: str = ""
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))   # core.once

    @classmethod
    def of_review(cls, review: Review | None) -> "Values":
        if review is None:
            return cls()
        income = review.income_per_capita
        return cls(f"{income:,}".replace(",", ".") if income is not None else "",
                   "" if review.score_a is None else str(review.score_a),
                   frozenset(i.code for i in review.deprivations),
                   frozenset(review.cause_codes), str(review.version))

    @classmethod
    def of_form(cls, form: RowForm) -> "Values":
        return cls(form.income_per_capita._value(), form.score_a._value(),
                   frozenset(form.indicators.data or ()), frozenset(form.causes.data or ()),
                   str(form.version.data or ""), form.form_token.data or secrets.token_urlsafe(16))


@dataclass
class Row:
    household: Household
    review: Review | None
    values: Values
    preview: dict                      # {"result": Classification} or {"error": message}
    error: str | None = None           # the row's refusal (422), in Vietnamese
    stale: Review | None = None        # someone else's newer review (409)
    saved: bool = False
    invalid: frozenset = frozenset()   # names of the inputs to correct

    @property
    def locked(self) -> bool:
        """Decided by the commune: shown, not edited here."""
        return self.review is not None and self.review.is_decided


def classify_row(household: Household, year: int, form: RowForm) -> dict:
    """The rule's answer for what the row holds now (services.preview), or why there is none."""
    if form.income_per_capita.errors or form.score_a.errors:
        return {"error": ""}
    if form.income_per_capita.data is None and form.score_a.data is None:
        return {"error": ""}
    try:
        return {"result": services.preview(household, year, form.indicators.data or [],
                                           form.income_per_capita.data, form.score_a.data)[1]}
    except RuleError as exc:
        return {"error": str(exc)}


def review_date_for(round_: ReviewRound, today: date) -> date:
    """A round's review is dated today, or on the round's last day once that has passed."""
    last = round_.ends_on or date(round_.year, 12, 31)
    return min(today, last)


def review_input(round_: ReviewRound, household: Household, review: Review | None,
                 form: RowForm, today: date) -> services.ReviewInput:
    """What the single-household form would submit with these survey values."""
    if review is None:   # a new review: carried over as the form's defaults are
        latest = next(iter(household_reviews(household.id)), None)
        kept = dict(review_type="periodic", review_date=review_date_for(round_, today),
                    has_labour=latest.has_labour if latest else None,
                    policy_group=(latest.policy_group or None) if latest else None, needs="",
                    decision_number=None, decision_date=None, decided_status=None,
                    override_reason=None)
    else:
        kept = {f: getattr(review, f) for f in (
            "review_type", "review_date", "has_labour", "policy_group", "needs",
            "decision_number", "decision_date", "decided_status", "override_reason")}
    return services.ReviewInput(
        year=round_.year, income_per_capita=form.income_per_capita.data,
        score_a=form.score_a.data, indicator_codes=form.indicators.data or [],
        cause_codes=form.causes.data or [], **kept)


def hamlet_households(round_: ReviewRound, hamlet_id: int, page: int, page_size: int):
    """((household, review of the round's year or None) of one page, total) of a hamlet's
    households in the round, by head name. One query for the page, one for the count (none
    on the last page: core.paging)."""
    found = paginate(
        scoped(select(Household, Review), Household)
        .where(in_round(round_), Household.hamlet_id == hamlet_id)
        .outerjoin(Review, and_(Review.household_id == Household.id, Review.year == round_.year))
        .options(selectinload(Review.deprivations), selectinload(Review.causes))
        .order_by(Household.head_name_folded, Household.id),
        page, page_size, scalars=False)
    return found.rows, found.total


def household_of_round(round_: ReviewRound, household_id: int) -> tuple[Household, Review | None] | None:
    """A household of the round the user may read, with its review of the round's year."""
    row = db.session.execute(
        scoped(select(Household, Review), Household)
        .outerjoin(Review, and_(Review.household_id == Household.id, Review.year == round_.year))
        .where(in_round(round_), Household.id == household_id)).first()
    return tuple(row) if row else None
