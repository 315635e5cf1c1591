"""Reads across the user's area: the open plan items and the verification queue. Every read
goes through scoped(); households deleted from the register drop out."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.core import clock
from app.core.params import to_int, to_page
from app.core.paging import paginate
from app.core.scoping import scoped, unit_in_scope_or_none
from app.core.units import HAMLET
from app.core.users import User
from app.extensions import db
from app.households.models import Household
from app.supports.models import PlanItem, Support
from app.supports.plans import OPEN_STATUSES
from app.sponsors.scope import sponsors_in_scope

LIST_STATUSES = ("open", "planned", "in_progress", "done", "dropped")


@dataclass
class PlanListParams:
    hamlet: int | None = None
    status: str = "open"
    overdue: bool = False
    sponsor: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args):
        status = args.get("status", "open")
        return cls(hamlet=to_int(args.get("hamlet")),
                   status=status if status in LIST_STATUSES else "open",
                   overdue=args.get("overdue") in ("1", "on", "true"),
                   sponsor=to_int(args.get("sponsor")), page=to_page(args.get("page")))

    def args(self, **change) -> dict:
        values = {"hamlet": self.hamlet or "", "status": self.status,
                  "overdue": "1" if self.overdue else "", "sponsor": self.sponsor or "",
                  "page": self.page, **change}
        return {k: v for k, v in values.items() if v not in ("", None, 1) or k == "status"}


def plan_list(params: PlanListParams, page_size: int, today: date | None = None):
    """(rows of (PlanItem, Household), total) for one page, soonest due first."""
    today = today or clock.today()
    stmt = scoped(select(PlanItem, Household).join(Household, Household.id == PlanItem.household_id),
                  PlanItem).where(Household.deleted_at.is_(None))
    if params.status == "open":
        stmt = stmt.where(PlanItem.status.in_(OPEN_STATUSES))
    else:
        stmt = stmt.where(PlanItem.status == params.status)
    if params.overdue:
        stmt = stmt.where(PlanItem.status.in_(OPEN_STATUSES), PlanItem.due_on < today)
    if params.hamlet:
        hamlet = unit_in_scope_or_none(params.hamlet, HAMLET)
        stmt = stmt.where(PlanItem.hamlet_id == (hamlet.id if hamlet else -1))
    if params.sponsor:
        from app.sponsors.models import Sponsor
        allowed = sponsors_in_scope().where(Sponsor.id == params.sponsor).with_only_columns(Sponsor.id)
        stmt = stmt.where(PlanItem.responsible_sponsor_id.in_(allowed))
    page = paginate(stmt.order_by(PlanItem.due_on.is_(None), PlanItem.due_on, PlanItem.id),
                    params.page, page_size, scalars=False, unique=True)
    return page.rows, page.total


def overdue_count(today: date | None = None) -> int:
    today = today or clock.today()
    return db.session.scalar(scoped(
        select(func.count(PlanItem.id)).select_from(PlanItem)
        .join(Household, Household.id == PlanItem.household_id), PlanItem)
        .where(Household.deleted_at.is_(None), PlanItem.status.in_(OPEN_STATUSES),
               PlanItem.due_on < today))


# Verification queue ------------------------------------------------------------------------------

QUEUE_LIMIT = 200


def _pending():
    return scoped(select(Support, Household).join(Household, Household.id == Support.household_id),
                  Support).where(Support.verification == "pending", Support.reverses_id.is_(None),
                                 Household.deleted_at.is_(None))


def pending_count() -> int:
    return db.session.scalar(_pending().with_only_columns(func.count(Support.id)).order_by(None))


def pending_page(hamlet_id: int | None = None):
    """The oldest pending supports first (they have waited longest)."""
    stmt = _pending()
    if hamlet_id:
        hamlet = unit_in_scope_or_none(hamlet_id, HAMLET)
        stmt = stmt.where(Support.hamlet_id == (hamlet.id if hamlet else -1))
    return db.session.execute(stmt.order_by(Support.recorded_at, Support.id)
                              .limit(QUEUE_LIMIT)).unique().all()


def user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {uid: full or name for uid, full, name in db.session.execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(ids))).all()}
