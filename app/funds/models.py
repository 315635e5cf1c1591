"""Fund ledgers (Quỹ "Vì người nghèo", Quỹ "Đền ơn đáp nghĩa", other named funds) and the
Fatherland Front's review of fund use.

A fund's book is append-only: receipts, disbursements (to a support delivered or a documented
non-household spend) and transfers between levels. The balance is computed from the entries
and may never go negative (checked under a lock on the fund row when posting). A correction
is a reversing entry with a reason."""
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
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
    # The day the entry counts on in the public disclosure, when not its own date: an entry
    # entering the balance after the fund published a period containing its date counts on
    # the first day after the last published period (app.funds.disclosure). NULL: entry_date.
    disclosed_on: Mapped[date | None]

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
    # An approval of a disbursement whose support the commune has not verified, or that has no
    # evidence file, carries the approver's written reason.
    reason: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    user = relationship("User", lazy="joined")


class DisclosureSnapshot(db.Model):
    """A published disclosure (công khai): the sheet of a fund for a period, frozen when the
    Front published it — rows and totals as posted, labels in Vietnamese. Carries the fund's
    unit ids, read through app.core.scoping like the fund. Append-only."""
    __tablename__ = "disclosure_snapshot"
    __table_args__ = (UniqueConstraint("fund_id", "period_start",
                                       name="uq_disclosure_snapshot_fund_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    opening: Mapped[int] = mapped_column(BigInteger)
    closing: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[dict] = mapped_column(JSON)        # the sheet's rows (disclosure.freeze)
    published_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    fund: Mapped[Fund] = relationship(lazy="joined")


# The books are append-only: only the state of a disbursement moves (and, when it is posted,
# the day it counts on in the disclosure).
append_only(FundEntry, mutable={"state", "posted_at", "disclosed_on"})
append_only(FundReviewEvent)
append_only(DisclosureSnapshot)
