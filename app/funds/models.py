"""Fund ledgers (Quỹ "Vì người nghèo", Quỹ "Đền ơn đáp nghĩa", other named funds) and the
Fatherland Front's review of fund use.

A fund's book is append-only: receipts, disbursements (to a support delivered or a documented
non-household spend) and transfers between levels. The balance is computed from the entries
and may never go negative (checked under a lock on the fund row when posting). A correction
is a reversing entry with a reason."""
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.i18n import N_
from app.core.ledger import append_only
from app.extensions import db

FUND_KIND_LABELS = {"poor": N_("Quỹ Vì người nghèo"), "gratitude": N_("Quỹ Đền ơn đáp nghĩa"),
                    "other": N_("Quỹ khác")}
ENTRY_KIND_LABELS = {"receipt": N_("Thu"), "disbursement": N_("Chi"),
                     "transfer_out": N_("Chuyển đi cấp khác"), "transfer_in": N_("Nhận từ cấp khác")}
DONOR_KIND_LABELS = {"agency": N_("Cơ quan, đơn vị"), "business": N_("Doanh nghiệp"),
                     "individual": N_("Cá nhân"), "transfer": N_("Chuyển từ cấp khác")}
# Sign of an entry kind in the balance.
SIGN = {"receipt": 1, "transfer_in": 1, "disbursement": -1, "transfer_out": -1}


class Fund(db.Model):
    """A fund held at one unit (commune, province…); scoped like the unit's households."""
    __tablename__ = "fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    # Supports paid from this funding source in the fund's area draw on this fund.
    funding_source_code: Mapped[str | None] = mapped_column(ForeignKey("funding_source.code"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    unit = relationship("AdminUnit", foreign_keys=[unit_id], lazy="joined")


class FundEntry(db.Model):
    """One line of a fund's book. `amount` is positive; SIGN[kind] gives its direction, and a
    reversal carries the opposite sign of what it reverses (`reverses_id`)."""
    __tablename__ = "fund_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    kind: Mapped[str] = mapped_column(String(14), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    is_reversal: Mapped[bool] = mapped_column(default=False)
    entry_date: Mapped[date] = mapped_column(index=True)
    document_number: Mapped[str] = mapped_column(String(60), default="")
    # Receipts
    donor_name: Mapped[str] = mapped_column(String(200), default="")
    donor_kind: Mapped[str | None] = mapped_column(String(12))
    campaign: Mapped[str] = mapped_column(String(200), default="")
    # Disbursements: to a support delivered, or a documented spend without a household.
    support_id: Mapped[int | None] = mapped_column(ForeignKey("support.id"), index=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    # pending → posted (counts in the balance) or queried (the Front asks; comments thread)
    state: Mapped[str] = mapped_column(String(10), default="posted", index=True)
    # Transfers: the matching entry in the other fund.
    counterpart_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    posted_at: Mapped[datetime | None]

    fund: Mapped[Fund] = relationship(lazy="joined")

    @property
    def signed_amount(self) -> int:
        sign = SIGN[self.kind] * (-1 if self.is_reversal else 1)
        return sign * self.amount


class FundReviewEvent(db.Model):
    """The Front's review trail on a fund entry: approve, query, comment, reply. Append-only."""
    __tablename__ = "fund_review_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("fund_entry.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))   # approve / query / comment / post
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    user = relationship("User", lazy="joined")


# The books are append-only: only the state of a disbursement moves.
append_only(FundEntry, mutable={"state", "posted_at"})
append_only(FundReviewEvent)
