"""Targets per unit and year, set by the level above, and periodic reports with deadlines."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.i18n import N_
from app.extensions import db

TARGET_KIND_LABELS = {"poor": N_("Giảm hộ nghèo"), "near_poor": N_("Giảm hộ cận nghèo"),
                      "merit_poor": N_("Giảm hộ nghèo có người có công")}
REPORT_KIND_LABELS = {"6m": N_("Báo cáo 6 tháng"), "9m": N_("Báo cáo 9 tháng"),
                      "annual": N_("Báo cáo năm")}


class UnitScoped:
    """Rows about a unit (commune, district, province, hamlet) carry the unit's ancestry like
    households do, so core.scoping applies unchanged."""
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    hamlet_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)


class Target(UnitScoped, db.Model):
    """A reduction target for one unit and year: a count of households, or a percentage of
    the baseline (basis points, 2 decimals: 150 = 1,50 %)."""
    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("unit_id", "year", "kind", name="uq_target_unit_year_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(12))
    count: Mapped[int | None]
    percent_bp: Mapped[int | None]
    baseline: Mapped[int | None]          # households of that kind at the start of the year
    note: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit = relationship("AdminUnit", foreign_keys="Target.unit_id", lazy="joined")


class ReportDeadline(db.Model):
    """When a unit's periodic report is due (deadlines differ per plan: data, not code).
    `unit_id` None = the default for every unit."""
    __tablename__ = "report_deadline"
    __table_args__ = (UniqueConstraint("unit_id", "year", "kind", name="uq_report_deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    due_on: Mapped[date]


class ReportSubmission(UnitScoped, db.Model):
    """A submitted periodic report: the frozen snapshot of its tables."""
    __tablename__ = "report_submission"
    __table_args__ = (UniqueConstraint("unit_id", "year", "kind", name="uq_report_submission"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    submitted_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    snapshot: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")

    unit = relationship("AdminUnit", foreign_keys="ReportSubmission.unit_id", lazy="joined")
