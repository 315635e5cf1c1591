"""Support plans per household and the ledger of supports delivered, with evidence files.

The ledger is append-only: a delivered support's content never changes; a correction is a
new entry reversing it (negative value, `reverses_id`, reason). Only its verification moves
(pending → verified / rejected)."""
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.i18n import N_
from app.core.ledger import AppendOnlyError, append_only
from app.core.scoping import ScopedMixin
from app.extensions import db

PLAN_STATUS_LABELS = {"planned": N_("Đã lập kế hoạch"), "in_progress": N_("Đang thực hiện"),
                      "done": N_("Hoàn thành"), "dropped": N_("Dừng thực hiện")}
VERIFICATION_LABELS = {"pending": N_("Chờ xác minh"), "verified": N_("Đã xác minh"),
                       "rejected": N_("Không xác nhận")}


class SuggestedAction(db.Model):
    """Configurable suggestions to draft a plan quickly: need (indicator or cause code) → action."""
    __tablename__ = "suggested_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_kind: Mapped[str] = mapped_column(String(10))    # indicator / cause
    need_code: Mapped[str] = mapped_column(String(30), index=True)
    action: Mapped[str] = mapped_column(String(300))
    support_type_code: Mapped[str | None] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class PlanItem(ScopedMixin, db.Model):
    """One line of a household's support plan: a need, the action, who, by when, how far."""
    __tablename__ = "plan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    need_kind: Mapped[str] = mapped_column(String(10))    # indicator / cause
    need_code: Mapped[str] = mapped_column(String(30))     # indicator code or cause code
    need_label: Mapped[str] = mapped_column(String(200))   # as labelled when planned
    action: Mapped[str] = mapped_column(Text)
    responsible_name: Mapped[str] = mapped_column(String(200), default="")
    responsible_sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default="planned", index=True)
    dropped_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    responsible_sponsor = relationship("Sponsor", lazy="joined")

    @classmethod
    def sponsor_scope(cls, sponsor_id, household_ids):
        """A sponsor sees the plan items it is responsible for, in its assigned households."""
        return and_(cls.household_id.in_(household_ids), cls.responsible_sponsor_id == sponsor_id)

    @property
    def is_open(self) -> bool:
        return self.status in ("planned", "in_progress")

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


class FundingSource(db.Model):
    """Nguồn kinh phí, configurable. `category`: budget, fund, credit, donation, sponsor,
    community, oda, other — funds are tied to fund ledgers (funds issue), credit asks for the
    VBSP programme, term and amount."""
    __tablename__ = "funding_source"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class Support(ScopedMixin, db.Model):
    """A support delivered to a household (append-only ledger entry)."""
    __tablename__ = "support"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    delivered_on: Mapped[date] = mapped_column(index=True)
    type_code: Mapped[str] = mapped_column(String(30), index=True)      # lookup support_type
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[str | None] = mapped_column(String(30))            # as a decimal string
    unit: Mapped[str | None] = mapped_column(String(30))
    value_vnd: Mapped[int] = mapped_column(BigInteger)                   # negative: a reversal
    funding_source_code: Mapped[str] = mapped_column(ForeignKey("funding_source.code"), index=True)
    credit_programme_code: Mapped[str | None] = mapped_column(String(30))  # lookup credit_programme
    credit_term_months: Mapped[int | None]
    programme_code: Mapped[str | None] = mapped_column(String(30))      # lookup programme (tree)
    provider_sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor.id"), index=True)
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_item.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    verification: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("support.id"), unique=True)
    reversal_reason: Mapped[str | None] = mapped_column(String(500))

    funding_source: Mapped[FundingSource] = relationship(lazy="joined")
    provider_sponsor = relationship("Sponsor", lazy="joined")
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="support",
                                                      order_by="Evidence.id")

    # What a verifier may change; everything else is fixed once written.
    MUTABLE = {"verification", "verified_by_id", "verified_at", "rejection_reason"}

    @classmethod
    def sponsor_scope(cls, sponsor_id, household_ids):
        """A sponsor sees the supports it provided, in its assigned households."""
        return and_(cls.household_id.in_(household_ids), cls.provider_sponsor_id == sponsor_id)


class Evidence(db.Model):
    """A file proving a support: stored under instance/uploads with a random name."""
    __tablename__ = "support_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    support_id: Mapped[int] = mapped_column(ForeignKey("support.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    support: Mapped[Support] = relationship(back_populates="evidence")


LedgerError = AppendOnlyError
append_only(Support, mutable=Support.MUTABLE)
append_only(Evidence)
