"""Poverty standards (rule sets as data), yearly reviews, review rounds, hamlet meetings and
exit proposals."""
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.scoping import ScopedMixin
from app.reviews import rules
from app.extensions import db

RURAL, URBAN = "rural", "urban"


class PovertyStandard(db.Model):
    """One legal standard (chuẩn nghèo) for a span of list years: the lists of 2016–2021 under
    QĐ 59/2015, so the reviews of 2015–2020 (rules.list_year: a review of Y makes the lists
    of Y + 1).

    The rule is the same shape for every standard, driven by the numbers of its area lines:
    income ≤ poor-by-income line → poor; income ≤ line and deprivations ≥ threshold → poor;
    income ≤ line → near-poor; income ≤ middle line → middle living standard; else not poor.
    (2016–2021 has a poor-by-income line; both have a middle band.)"""
    __tablename__ = "poverty_standard"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(200))
    list_year_from: Mapped[int]      # the first year whose lists it governs
    list_year_to: Mapped[int]
    is_provisional: Mapped[bool] = mapped_column(default=False)
    deprivation_threshold: Mapped[int] = mapped_column(default=3)   # indicators
    points_per_indicator: Mapped[int] = mapped_column(default=10)   # score B
    note: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list["StandardLine"]] = relationship(back_populates="standard",
                                                       order_by="StandardLine.area")
    dimensions: Mapped[list["Dimension"]] = relationship(back_populates="standard",
                                                         order_by="Dimension.position")
    indicators: Mapped[list["Indicator"]] = relationship(back_populates="standard",
                                                         order_by="Indicator.position")

    def line_for(self, area: str) -> "StandardLine":
        return next(line for line in self.lines if line.area == area)

    @classmethod
    def governs(cls, list_year: int):
        """SQL condition: the standard governs the lists of `list_year`."""
        return and_(cls.list_year_from <= list_year, cls.list_year_to >= list_year)

    @property
    def years_label(self) -> str:
        return f"{self.list_year_from}–{self.list_year_to}"

    @property
    def review_years_label(self) -> str:
        return f"{rules.review_year(self.list_year_from)}–{rules.review_year(self.list_year_to)}"


class StandardLine(db.Model):
    """The money lines (VND/person/month) and score-A line of a standard for rural or urban."""
    __tablename__ = "standard_line"
    __table_args__ = (UniqueConstraint("standard_id", "area", name="uq_standard_line_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("poverty_standard.id"))
    area: Mapped[str] = mapped_column(String(5))
    poor_by_income: Mapped[int | None]   # at or below: poor whatever the deprivations
    line: Mapped[int]                    # at or below: poor (≥ threshold) or near-poor
    middle_line: Mapped[int | None]      # at or below: middle living standard
    score_a_line: Mapped[int | None]     # Thông tư 07/2021: 140 rural, 175 urban

    standard: Mapped[PovertyStandard] = relationship(back_populates="lines")


class Dimension(db.Model):
    __tablename__ = "poverty_dimension"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("poverty_standard.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    standard: Mapped[PovertyStandard] = relationship(back_populates="dimensions")
    indicators: Mapped[list["Indicator"]] = relationship(back_populates="dimension",
                                                         order_by="Indicator.position")


class Indicator(db.Model):
    __tablename__ = "poverty_indicator"
    __table_args__ = (UniqueConstraint("standard_id", "code", name="uq_poverty_indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("poverty_standard.id"), index=True)
    dimension_id: Mapped[int] = mapped_column(ForeignKey("poverty_dimension.id"))
    code: Mapped[str] = mapped_column(String(20))
    number: Mapped[int]                  # 1..12 as in the official tables (Biểu 01)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    standard: Mapped[PovertyStandard] = relationship(back_populates="indicators")
    dimension: Mapped[Dimension] = relationship(back_populates="indicators")


class Review(ScopedMixin, db.Model):
    """One household's review for one year: what was measured, what the rule computed, and
    what the commune decided."""
    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("household_id", "year", name="uq_review_household_year"),
                      # A household's decided history in year order, read from the index alone
                      # (standing per year, transitions): a province's 10⁵ reviews, not its rows.
                      Index("ix_review_decided_history", "household_id", "year",
                            "decided_status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("poverty_standard.id"))
    area: Mapped[str] = mapped_column(String(5))          # rural / urban, from the hamlet
    review_type: Mapped[str] = mapped_column(String(10))  # periodic / regular
    review_date: Mapped[date]
    income_per_capita: Mapped[int | None]                 # VND per person per month
    score_a: Mapped[int | None]
    score_b: Mapped[int] = mapped_column(default=0)
    deprived_dimensions: Mapped[int] = mapped_column(default=0)
    computed_status: Mapped[str] = mapped_column(String(20))
    has_labour: Mapped[bool | None]
    policy_group: Mapped[str | None] = mapped_column(String(30))
    needs: Mapped[str] = mapped_column(Text, default="")
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[date | None]
    decided_status: Mapped[str | None] = mapped_column(String(20), index=True)
    override_reason: Mapped[str | None] = mapped_column(String(500))
    transition: Mapped[str | None] = mapped_column(String(30), index=True)  # derived
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    standard: Mapped[PovertyStandard] = relationship(lazy="joined")
    deprivations: Mapped[list[Indicator]] = relationship(secondary="review_deprivation",
                                                         order_by="Indicator.position")
    causes: Mapped[list["ReviewCause"]] = relationship(cascade="all, delete-orphan",
                                                       order_by="ReviewCause.cause_code")

    @property
    def indicator_count(self) -> int:
        return len(self.deprivations)

    @property
    def list_year(self) -> int:
        return rules.list_year(self.year)

    @hybrid_property
    def needs_check(self) -> bool:
        """Decided otherwise than the rule computes, with no reason written: a saved review
        cannot be so, but a correction of the standards (migration 0008) can make it so; the
        officer then confirms (with a reason) or re-decides it."""
        return bool(self.decided_status and self.decided_status != self.computed_status
                    and not self.override_reason)

    @needs_check.inplace.expression
    @classmethod
    def _needs_check(cls):
        return and_(cls.decided_status.is_not(None), cls.decided_status != cls.computed_status,
                    cls.override_reason.is_(None))

    @property
    def cause_codes(self) -> list[str]:
        return [c.cause_code for c in self.causes]

    @property
    def is_decided(self) -> bool:
        return self.decided_status is not None


# Deprived indicators of a review: a plain link table, so Biểu 01 is a GROUP BY.
review_deprivation = Table(
    "review_deprivation", db.metadata,
    Column("review_id", ForeignKey("review.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("poverty_indicator.id"), primary_key=True, index=True))


class ReviewCause(db.Model):
    """A cause of poverty (lookup kind "poverty_cause") recorded at a review."""
    __tablename__ = "review_cause"

    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"),
                                           primary_key=True)
    cause_code: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class ReviewRound(db.Model):
    """A commune's review round for one year (periodic review 1 Sep – 14 Dec)."""
    __tablename__ = "review_round"
    __table_args__ = (UniqueConstraint("commune_id", "year", name="uq_review_round_commune_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Scoped like households: the commune's ancestors are copied for one-predicate scoping.
    province_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    year: Mapped[int]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    commune = relationship("AdminUnit", foreign_keys=[commune_id], lazy="joined")
    meetings: Mapped[list["HamletMeeting"]] = relationship(back_populates="round",
                                                           order_by="HamletMeeting.held_on")


class HamletMeeting(db.Model):
    """The hamlet meeting of a review round: it passes only with more than 50 % agreement;
    otherwise (exactly 50 % included) the hamlet is re-surveyed."""
    __tablename__ = "hamlet_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"), index=True)
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    held_on: Mapped[date]
    attendance: Mapped[int]
    agreeing: Mapped[int]
    front_supervised: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    round: Mapped[ReviewRound] = relationship(back_populates="meetings")
    hamlet = relationship("AdminUnit", lazy="joined")

    REQUIRED_AGREEMENT = 50  # percent, to be exceeded; at or below it the hamlet is re-surveyed

    @property
    def passed(self) -> bool:
        return self.agreeing * 100 > self.REQUIRED_AGREEMENT * self.attendance

    @property
    def needs_resurvey(self) -> bool:
        return not self.passed


class ReviewRequest(ScopedMixin, db.Model):
    """A household's request for a regular (out-of-round) review."""
    __tablename__ = "review_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    requested_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)


class ExitProposal(ScopedMixin, db.Model):
    """The commune officer proposes that a household leaves the list; the decision follows."""
    __tablename__ = "exit_proposal"

    PROPOSED, DECIDED, WITHDRAWN = "proposed", "decided", "withdrawn"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    from_status: Mapped[str] = mapped_column(String(20))   # poor / near_poor
    to_status: Mapped[str] = mapped_column(String(20))     # near_poor / middle / not_poor
    evidence: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default=PROPOSED, index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[date | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    household = relationship("Household", lazy="joined")
