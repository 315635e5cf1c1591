"""The later steps of a review round: public posting (niêm yết) per hamlet with the complaints
received during it, and the commune's one decision applied to many households.

Postings, complaints and the decision are reached through their round (loaded through its
scope); the decision's households carry their own unit ids, so the official lists built on a
decision are one scoped query."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.scoping import ScopedMixin
from app.extensions import db


class RoundPosting(db.Model):
    """A hamlet's results posted in public (where, from, to), after its hamlet meeting."""
    __tablename__ = "round_posting"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"), index=True)
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    place: Mapped[str] = mapped_column(String(200))
    posted_from: Mapped[date]
    posted_to: Mapped[date]
    front_supervised: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    hamlet = relationship("AdminUnit", lazy="joined")
    complaints: Mapped[list["PostingComplaint"]] = relationship(
        back_populates="posting", order_by="PostingComplaint.received_on, PostingComplaint.id")

    def ended(self, today: date) -> bool:
        """The posting period is over once its last day has passed."""
        return self.posted_to < today

    @property
    def open_complaints(self) -> list["PostingComplaint"]:
        return [c for c in self.complaints if c.is_open]


class PostingComplaint(db.Model):
    """A complaint received during a posting; open until its resolution is written."""
    __tablename__ = "posting_complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("round_posting.id"), index=True)
    received_on: Mapped[date]
    complainant: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    posting: Mapped[RoundPosting] = relationship(back_populates="complaints")

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None


class RoundDecision(db.Model):
    """The commune's decision recognising the lists of a round (one per round)."""
    __tablename__ = "round_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"), unique=True)
    number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date]
    list_year: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)


class DecisionHousehold(ScopedMixin, db.Model):
    """One household under a decision: applied (with the decided status, and the reason when
    it differs from the computed one) or excluded with a reason. One row per household and
    decision, so applying the decision again cannot apply it twice."""
    __tablename__ = "decision_household"
    __table_args__ = (UniqueConstraint("decision_id", "household_id",
                                       name="uq_decision_household"),)

    APPLIED, EXCLUDED = "applied", "excluded"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("round_decision.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    decided_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(500))
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applied_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
