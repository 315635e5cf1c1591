"""Reads of the fund books: funds and entries in the user's scope, balances, the ledger, the
monthly flows of the dashboard and the Front's review list.

A fund is scoped by its unit ids (`scoped(select(Fund), Fund)`: a commune user sees the funds
of the commune, a district or province user every fund below). An entry is reached through its
fund, or — for a disbursement paying a support — through the support's household, so a commune
officer sees what a province fund paid in the commune and the questions asked about it. Who
sees nothing sees nothing: sponsors and admins get no row (the blueprint refuses them first)."""
from dataclasses import dataclass, field
from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, extract, false, func, or_, select

from app.core import clock
from app.core.params import to_int, to_page
from app.core.i18n import N_
from app.core.paging import paginate
from app.core.scoping import AREA_ROLES, scope_clause, scoped
from app.core.units import AdminUnit
from app.core.users import Role, User
from app.extensions import db
from app.funds.models import Fund, FundEntry, FundReviewEvent
from app.funds.services import OPEN_STATES, signed_amount
from app.households.models import Household
from app.supports.models import Evidence, Support

STATE_LABELS = {"pending": N_("Chờ duyệt chi"), "queried": N_("Đang chất vấn"),
                "posted": N_("Đã duyệt chi"), "cancelled": N_("Không chi")}
REPLY_LABELS = {"awaiting": N_("Chờ xã trả lời"), "answered": N_("Xã đã trả lời")}
ACTION_LABELS = {"approve": N_("Duyệt chi"), "query": N_("Chất vấn"),
                 "comment": N_("Trao đổi"), "cancel": N_("Không chi")}
VERIFICATION_LABELS = {"pending": N_("Chờ xác minh"), "verified": N_("Đã xác minh"),
                       "rejected": N_("Không xác nhận")}
IN_KINDS = ("receipt", "transfer_in")
OUT_KINDS = ("disbursement", "transfer_out")


def _user(user):
    return current_user if user is None else user


# Scope and rights ---------------------------------------------------------------------------

def entry_scope(user=None):
    """WHERE clause for entries (joined to Fund and, outer, to Support) the user may read."""
    user = _user(user)
    if not getattr(user, "is_authenticated", False) or user.role not in AREA_ROLES:
        return false()
    return or_(scope_clause(Fund, user),
               and_(FundEntry.support_id.is_not(None), scope_clause(Support, user)))


def entries_in_scope(*columns, user=None):
    stmt = select(*(columns or (FundEntry,)))
    return (stmt.select_from(FundEntry).join(Fund, Fund.id == FundEntry.fund_id)
            .outerjoin(Support, Support.id == FundEntry.support_id).where(entry_scope(user)))


def entry_or_404(entry_id) -> FundEntry:
    try:
        entry_id = int(entry_id)
    except (TypeError, ValueError):
        abort(404)
    entry = db.session.scalar(entries_in_scope().where(FundEntry.id == entry_id))
    if entry is None:
        abort(404)
    return entry


def visible_funds(user=None, active_only: bool = False) -> list[Fund]:
    stmt = scoped(select(Fund), Fund, user).join(AdminUnit, AdminUnit.id == Fund.unit_id)
    if active_only:
        stmt = stmt.where(Fund.is_active.is_(True))
    return db.session.scalars(stmt.order_by(AdminUnit.path, Fund.kind, Fund.name)).all()


def manages(fund: Fund, user=None) -> bool:
    """The Front (mass_org) users of the fund's own unit run it; everyone else reads."""
    user = _user(user)
    return (getattr(user, "is_authenticated", False) and user.role == Role.MASS_ORG
            and user.unit_id == fund.unit_id and fund.is_active)


def may_comment(entry: FundEntry, user=None) -> bool:
    """The fund's managers and the commune officers of the household (the entry was loaded
    through the user's scope) discuss an open disbursement."""
    user = _user(user)
    if entry.kind != "disbursement" or entry.is_reversal or entry.state not in OPEN_STATES:
        return False
    return manages(entry.fund, user) or (user.role == Role.COMMUNE and entry.support_id is not None)


# Balances -----------------------------------------------------------------------------------

def balances(fund_ids) -> dict[int, int]:
    if not fund_ids:
        return {}
    rows = db.session.execute(
        select(FundEntry.fund_id, func.sum(signed_amount()))
        .where(FundEntry.fund_id.in_(fund_ids), FundEntry.state == "posted")
        .group_by(FundEntry.fund_id)).all()
    found = {fund_id: int(total or 0) for fund_id, total in rows}
    return {fund_id: found.get(fund_id, 0) for fund_id in fund_ids}


def open_amounts(fund_ids) -> dict[int, tuple[int, int]]:
    """{fund id: (count, amount)} of disbursements still awaiting the Front."""
    if not fund_ids:
        return {}
    rows = db.session.execute(
        select(FundEntry.fund_id, func.count(), func.sum(FundEntry.amount))
        .where(FundEntry.fund_id.in_(fund_ids), FundEntry.kind == "disbursement",
               FundEntry.is_reversal.is_(False), FundEntry.state.in_(OPEN_STATES))
        .group_by(FundEntry.fund_id)).all()
    found = {fund_id: (int(n), int(total or 0)) for fund_id, n, total in rows}
    return {fund_id: found.get(fund_id, (0, 0)) for fund_id in fund_ids}


def monthly_flows(fund_ids, today: date | None = None, months: int = 12) -> list[dict]:
    """Donations received and money paid out per month over the last `months` months (posted
    entries, reversals netted; transfers between levels left out: they move money, they do not
    raise or spend it)."""
    today = today or clock.today()
    first = date(today.year, today.month, 1)
    for _i in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    slots, cursor = [], first
    for _i in range(months):
        slots.append({"year": cursor.year, "month": cursor.month, "receipts": 0, "spending": 0})
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    if not fund_ids:
        return slots
    year, month = extract("year", FundEntry.entry_date), extract("month", FundEntry.entry_date)
    rows = db.session.execute(
        select(year, month, FundEntry.kind, func.sum(signed_amount()))
        .where(FundEntry.fund_id.in_(fund_ids), FundEntry.state == "posted",
               FundEntry.kind.in_(("receipt", "disbursement")),
               FundEntry.entry_date >= first, FundEntry.entry_date <= today)
        .group_by(year, month, FundEntry.kind)).all()
    index = {(s["year"], s["month"]): s for s in slots}
    for y, m, kind, total in rows:
        slot = index.get((int(y), int(m)))
        if slot is not None:
            if kind == "receipt":
                slot["receipts"] += int(total or 0)
            else:
                slot["spending"] -= int(total or 0)
    return slots


# The ledger of one fund ---------------------------------------------------------------------

@dataclass
class LedgerRow:
    entry: FundEntry
    reversed_by: FundEntry | None = None
    household: Household | None = None
    support: Support | None = None
    counterpart_fund: Fund | None = None


def ledger_page(fund: Fund, page: int, page_size: int) -> tuple[list[LedgerRow], int]:
    found = paginate(select(FundEntry).where(FundEntry.fund_id == fund.id)
                     .order_by(FundEntry.entry_date.desc(), FundEntry.id.desc()), page, page_size)
    return _ledger_rows(found.rows), found.total


def _ledger_rows(entries) -> list[LedgerRow]:
    ids = [e.id for e in entries]
    reversals = {r.reverses_id: r for r in db.session.scalars(
        select(FundEntry).where(FundEntry.reverses_id.in_(ids)))} if ids else {}
    support_ids = {e.support_id for e in entries if e.support_id}
    supports = {s.id: s for s in db.session.scalars(
        select(Support).where(Support.id.in_(support_ids)))} if support_ids else {}
    households = {h.id: h for h in db.session.scalars(select(Household).where(
        Household.id.in_({s.household_id for s in supports.values()})))} if supports else {}
    counterpart_ids = {e.counterpart_id for e in entries if e.counterpart_id}
    counterparts = {e.id: e.fund for e in db.session.scalars(
        select(FundEntry).where(FundEntry.id.in_(counterpart_ids)))} if counterpart_ids else {}
    rows = []
    for e in entries:
        support = supports.get(e.support_id)
        rows.append(LedgerRow(e, reversals.get(e.id),
                              households.get(support.household_id) if support else None,
                              support, counterparts.get(e.counterpart_id)))
    return rows


def thread(entry_id: int) -> list[FundReviewEvent]:
    return db.session.scalars(select(FundReviewEvent).where(FundReviewEvent.entry_id == entry_id)
                              .order_by(FundReviewEvent.at, FundReviewEvent.id)).all()


# The Front's review list --------------------------------------------------------------------

def parse_date(value) -> date | None:
    from datetime import datetime
    text = (value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


@dataclass
class ReviewParams:
    start: date
    end: date
    fund: int | None = None
    hamlet: int | None = None
    type: str = ""
    sponsor: int | None = None
    state: str = ""
    reply: str = ""          # queried ones: "awaiting" the commune's reply, or "answered"
    page: int = 1

    @classmethod
    def from_args(cls, args, today: date | None = None):
        today = today or clock.today()
        # Default: this year and the last (items recorded late still show).
        start = parse_date(args.get("from")) or date(today.year - 1, 1, 1)
        end = parse_date(args.get("to")) or today
        if end < start:
            start, end = end, start
        state = args.get("state", "")
        return cls(start=start, end=end, fund=to_int(args.get("fund"), low=1),
                   hamlet=to_int(args.get("hamlet"), low=1), type=(args.get("type") or "")[:30],
                   sponsor=to_int(args.get("sponsor"), low=1),
                   state=state if state in STATE_LABELS or state == "open" else "",
                   reply=args.get("reply") if args.get("reply") in REPLY_LABELS else "",
                   page=to_page(args.get("page")))

    def query_args(self, **override) -> dict:
        values = {"from": self.start.strftime("%d/%m/%Y"), "to": self.end.strftime("%d/%m/%Y"),
                  "fund": self.fund, "hamlet": self.hamlet, "type": self.type,
                  "sponsor": self.sponsor, "state": self.state, "reply": self.reply,
                  "page": self.page}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "", 1) or k in ("from", "to")}


@dataclass
class ReviewRow:
    entry: FundEntry
    support: Support
    household: Household
    evidence: list = field(default_factory=list)
    events: list = field(default_factory=list)
    reversed_by: FundEntry | None = None
    support_reversed: bool = False

    @property
    def last_comment(self):
        return next((e for e in reversed(self.events) if e.comment), None)

    @property
    def concerns(self) -> list[str]:
        """Why approving needs a written reason (services.approval_concerns, from loaded rows)."""
        return ([c for c, missing in (("unverified", self.support.verification != "verified"),
                                      ("no_evidence", not self.evidence)) if missing])


def _review_stmt(params: ReviewParams, with_state: bool = True):
    stmt = (entries_in_scope(FundEntry, Support, Household)
            .join(Household, Household.id == Support.household_id)
            .where(FundEntry.kind == "disbursement", FundEntry.is_reversal.is_(False),
                   FundEntry.support_id.is_not(None),
                   FundEntry.entry_date >= params.start, FundEntry.entry_date <= params.end))
    if params.fund:
        stmt = stmt.where(FundEntry.fund_id == params.fund)
    if params.hamlet:
        stmt = stmt.where(Support.hamlet_id == params.hamlet)
    if params.type:
        stmt = stmt.where(Support.type_code == params.type)
    if params.sponsor:
        stmt = stmt.where(Support.provider_sponsor_id == params.sponsor)
    if with_state and params.state == "open":
        stmt = stmt.where(FundEntry.state.in_(OPEN_STATES))
    elif with_state and params.state:
        stmt = stmt.where(FundEntry.state == params.state)
    if params.reply:
        # Queried, and whose word was the thread's last: a commune officer's (answered) or not.
        last_role = (select(User.role).select_from(FundReviewEvent)
                     .outerjoin(User, User.id == FundReviewEvent.user_id)
                     .where(FundReviewEvent.entry_id == FundEntry.id)
                     .order_by(FundReviewEvent.id.desc()).limit(1).scalar_subquery())
        answered = and_(last_role.is_not(None), last_role == Role.COMMUNE)
        stmt = stmt.where(FundEntry.state == "queried",
                          answered if params.reply == "answered" else ~answered)
    return stmt


def review_page(params: ReviewParams, page_size: int) -> tuple[list[ReviewRow], int]:
    found = paginate(_review_stmt(params).order_by(FundEntry.entry_date.desc(), FundEntry.id.desc()),
                     params.page, page_size, scalars=False)
    return _review_rows(found.rows), found.total


def review_counts(params: ReviewParams) -> dict[str, tuple[int, int]]:
    """{state: (count, amount)} for the filters other than the state."""
    sub = _review_stmt(params, with_state=False).with_only_columns(
        FundEntry.state, FundEntry.amount).subquery()
    rows = db.session.execute(select(sub.c.state, func.count(), func.sum(sub.c.amount))
                              .group_by(sub.c.state)).all()
    found = {state: (int(n), int(total or 0)) for state, n, total in rows}
    return {state: found.get(state, (0, 0)) for state in STATE_LABELS}


def review_row(entry: FundEntry) -> ReviewRow:
    support = db.session.get(Support, entry.support_id)
    household = db.session.get(Household, support.household_id)
    return _review_rows([(entry, support, household)])[0]


def _review_rows(rows) -> list[ReviewRow]:
    if not rows:
        return []
    entry_ids = [r[0].id for r in rows]
    support_ids = [r[1].id for r in rows]
    evidence, events = {}, {}
    for ev in db.session.scalars(select(Evidence).where(Evidence.support_id.in_(support_ids))
                                 .order_by(Evidence.id)):
        evidence.setdefault(ev.support_id, []).append(ev)
    for event_row in db.session.scalars(
            select(FundReviewEvent).where(FundReviewEvent.entry_id.in_(entry_ids))
            .order_by(FundReviewEvent.at, FundReviewEvent.id)):
        events.setdefault(event_row.entry_id, []).append(event_row)
    reversed_entries = {r.reverses_id: r for r in db.session.scalars(
        select(FundEntry).where(FundEntry.reverses_id.in_(entry_ids)))}
    reversed_supports = set(db.session.scalars(
        select(Support.reverses_id).where(Support.reverses_id.in_(support_ids))))
    return [ReviewRow(entry, support, household, evidence.get(support.id, []),
                      events.get(entry.id, []), reversed_entries.get(entry.id),
                      support.id in reversed_supports)
            for entry, support, household in rows]


def open_items(limit: int = 10, state: str | None = None) -> tuple[list[ReviewRow], int]:
    """Disbursements awaiting the Front (or only the queried ones), newest first."""
    states = (state,) if state else OPEN_STATES
    stmt = (entries_in_scope(FundEntry, Support, Household)
            .join(Household, Household.id == Support.household_id)
            .where(FundEntry.kind == "disbursement", FundEntry.is_reversal.is_(False),
                   FundEntry.state.in_(states)))
    total = db.session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(FundEntry.id).subquery()))
    rows = db.session.execute(stmt.order_by(FundEntry.entry_date.desc(), FundEntry.id.desc())
                              .limit(limit)).all()
    return _review_rows(rows), int(total or 0)
