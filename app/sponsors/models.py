"""Sponsors (agencies, businesses, mass organisations, individuals) and their adoption of
households (nhận đỡ đầu). Assignments are history: ended, never deleted."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, and_, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.i18n import N_
from app.core.scoping import ScopedMixin, register_sponsor_scope
from app.extensions import db

KIND_LABELS = {"agency": N_("Cơ quan, đơn vị"), "business": N_("Doanh nghiệp"),
               "mass_org": N_("Tổ chức đoàn thể"), "individual": N_("Cá nhân")}


class Sponsor(db.Model):
    __tablename__ = "sponsor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    contact_person: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    # Home unit and its province: officers of that province see the sponsor.
    home_unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    home_unit = relationship("AdminUnit", foreign_keys=[home_unit_id], lazy="joined")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


class Assignment(ScopedMixin, db.Model):
    """Sponsor ↔ household, with the commitment. Active on a day when started and not ended."""
    __tablename__ = "sponsor_assignment"
    __table_args__ = (Index("ix_sponsor_assignment_active", "sponsor_id", "ends_on", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsor.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    commitment: Mapped[str] = mapped_column(Text, default="")
    end_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    version: Mapped[int] = mapped_column(default=1)

    sponsor: Mapped[Sponsor] = relationship(lazy="joined")

    @classmethod
    def active_on(cls, day: date):
        return and_(cls.starts_on <= day, or_(cls.ends_on.is_(None), cls.ends_on >= day))

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


def sponsored_households(sponsor_id: int, day: date | None = None):
    """Ids of the households a sponsor is assigned to today (an ended assignment closes access)."""
    return select(Assignment.household_id).where(
        Assignment.sponsor_id == sponsor_id, Assignment.active_on(day or clock.today()))


register_sponsor_scope(sponsored_households)   # core.scoping's sponsor rule (it knows no domain)
