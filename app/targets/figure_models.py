"""Yearly figures that stand still: the figures of a unit frozen at the end of a review year,
the total households an officer enters where the app does not hold every household, and the
households a unit expects in a plan year (plan tables)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.extensions import db
from app.targets.models import UnitScoped


class YearFigure(UnitScoped, db.Model):
    """A unit's figures at the end of review year `year`, frozen with the commune's decision
    (or the officer's "chốt số liệu năm"): one row for the commune and one per hamlet. Reports
    of that year read these and never recount."""
    __tablename__ = "year_figure"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_year_figure_unit_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    households: Mapped[int] = mapped_column(default=0)
    poor: Mapped[int] = mapped_column(default=0)
    near_poor: Mapped[int] = mapped_column(default=0)
    persons: Mapped[int] = mapped_column(default=0)        # members of the poor households
    social: Mapped[int] = mapped_column(default=0)         # poor, social-protection group
    policy: Mapped[int] = mapped_column(default=0)         # poor, poverty-policy group
    no_labour: Mapped[int] = mapped_column(default=0)      # poor without labour capacity
    households_entered: Mapped[bool] = mapped_column(default=False)
    frozen_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_number: Mapped[str] = mapped_column(String(60), default="")


class HouseholdTotal(UnitScoped, db.Model):
    """Total households of a unit at the end of `year`, entered by an officer (a commune
    that keeps only its poor and near-poor households in the app). Rates divide by it."""
    __tablename__ = "household_total"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_household_total_unit_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    households: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow)


class HouseholdProjection(UnitScoped, db.Model):
    """Households a unit expects in plan year `year`: a count, or a growth over the review
    year's households in basis points (0,3 % = 30). Seed 003 projects each unit apart."""
    __tablename__ = "household_projection"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_household_projection_unit_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    households: Mapped[int | None]
    growth_bp: Mapped[int | None]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
