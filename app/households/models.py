"""The household case file and its members."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.scoping import ScopedMixin
from app.core.units import AdminUnit
from app.extensions import db
from app.reviews.labels import STATUS_LABELS as STANDING_LABELS
from app.reviews.rules import standing

# The decided classification of the latest review.
STATUS_LABELS = {k: STANDING_LABELS[k] for k in ("poor", "near_poor", "middle", "not_poor")}


class SoftDeleteMixin:
    deleted_at: Mapped[datetime | None]
    deleted_reason: Mapped[str | None] = mapped_column(String(500))


class Household(ScopedMixin, SoftDeleteMixin, db.Model):
    __tablename__ = "household"
    # The list page at each scope level: one unit, not deleted, sorted by folded head name.
    __table_args__ = (*(
        Index(f"ix_household_{level}_list", f"{level}_id", "deleted_at", "head_name_folded")
        for level in ("province", "district", "commune", "hamlet")),
        # Counts per child unit of a district or province (dashboards, targets) read only
        # this index: without it a province's count visits all its rows (2.3 s → 0.03 s).
        # Not a partial index (WHERE deleted_at IS NULL): with one, SQLite took every
        # "deleted_at IS NULL" for selective and read a province's search through an index.
        Index("ix_household_units_live", "province_id", "district_id", "commune_id", "hamlet_id",
              "deleted_at"),
        # The same below a district (the province's index cannot seek a district_id).
        Index("ix_household_district_units", "district_id", "commune_id", "hamlet_id",
              "deleted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    head_name: Mapped[str] = mapped_column(String(120))
    head_name_folded: Mapped[str] = mapped_column(String(120))
    # Folded code, head and member names joined by "|": one column for the active search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Where the household stands, derived from its decided reviews (reviews.services.refresh_path).
    status: Mapped[str | None] = mapped_column(String(20), index=True)
    status_year: Mapped[int | None]
    exit_year: Mapped[int | None] = mapped_column(index=True)   # left the lists that year
    poor_since: Mapped[int | None]                              # unbroken poor since
    last_transition: Mapped[str | None] = mapped_column(String(30))
    is_ethnic_minority: Mapped[bool] = mapped_column(default=False)
    is_female_headed: Mapped[bool] = mapped_column(default=False)
    has_no_labour_capacity: Mapped[bool] = mapped_column(default=False)
    has_merit_member: Mapped[bool] = mapped_column(default=False)  # derived from members
    policy_group: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    hamlet: Mapped[AdminUnit] = relationship(foreign_keys="Household.hamlet_id", lazy="joined")
    members: Mapped[list["Member"]] = relationship(
        back_populates="household", order_by="Member.position",
        primaryjoin="and_(Member.household_id == Household.id, Member.deleted_at.is_(None))",
        viewonly=True)

    @classmethod
    def sponsor_scope(cls, sponsor_id, household_ids):
        return cls.id.in_(household_ids)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status or "", "Chưa rà soát")

    @property
    def standing(self) -> str | None:
        """Status, with "out of the lists" split into newly escaped / sustainable exit."""
        return standing(self.status, self.exit_year, clock.today().year)

    @property
    def standing_label(self) -> str:
        return STANDING_LABELS.get(self.standing or "", "Chưa rà soát")


class Member(ScopedMixin, SoftDeleteMixin, db.Model):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(120))
    name_folded: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[date | None]
    birth_year: Mapped[int]
    sex: Mapped[str] = mapped_column(String(1))  # "M" / "F"
    relationship_code: Mapped[str] = mapped_column(String(30))
    ethnicity_code: Mapped[str | None] = mapped_column(String(10))
    id_number: Mapped[str | None] = mapped_column(String(12), index=True)  # CCCD, sensitive
    has_disability: Mapped[bool] = mapped_column(default=False)
    disability_note: Mapped[str] = mapped_column(String(255), default="")
    health_insurance_number: Mapped[str | None] = mapped_column(String(15))
    health_insurance_expiry: Mapped[date | None]
    schooling_code: Mapped[str | None] = mapped_column(String(30))
    work_status_code: Mapped[str | None] = mapped_column(String(30))
    merit_category: Mapped[str | None] = mapped_column(String(5))
    merit_relation: Mapped[str | None] = mapped_column(String(10))
    merit_benefit: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    household: Mapped[Household] = relationship(back_populates="members", viewonly=True)

    @property
    def is_head(self) -> bool:
        return self.relationship_code == "head"

    @property
    def age(self) -> int:
        return clock.today().year - self.birth_year
