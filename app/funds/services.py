"""Fund ledgers: funds, receipts, disbursements, transfers between levels, reversals, and the
Front's review trail (approve = post, query, comment, cancel).

Each function changes the session (and writes the audit row); the caller commits once, so a
refusal leaves nothing half-written. Callers load funds and entries through their scope and
check who manages them (routes); ids that come from a form (transfer target) are checked here.

The balance is the sum of the posted entries (SIGN in models; a reversal has the opposite
sign). Pending and queried disbursements do not count until posted. Whatever lowers a balance
— posting a disbursement, a non-household spend, a transfer out, reversing a receipt — first
takes a lock on the fund row (`SELECT … FOR UPDATE`: PostgreSQL serialises the writers of one
fund; on SQLite a no-op UPDATE takes the database write lock, the same effect) and recomputes
the balance under it, so two posts racing for the last money cannot both succeed.

Entries are never edited (an ORM guard refuses it): only `state` and `posted_at` move, and a
correction is a reversing entry with a reason, once per entry.

A published disclosure is frozen (app.funds.disclosure): an entry that enters the balance — a
receipt, spend, transfer or reversal when written, a disbursement when approved — on a date
the fund has already published counts on the first day after the last published period
(`disclosed_on`), so it shows in the current period's sheet and never in a notice already
posted. The day is decided under the fund lock that publishing also takes."""
from datetime import date, datetime, timedelta

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.core import audit, clock
from app.core.i18n import N_
from app.core.ledger import AppendOnlyError
from app.core.text import clean
from app.core.units import COMMUNE, DISTRICT, PROVINCE, AdminUnit
from app.extensions import db
from app.funds.models import (DONOR_KIND_LABELS, FUND_KIND_LABELS, SIGN, DisclosureSnapshot,
                              Fund, FundEntry, FundReviewEvent)
from app.supports import signals as support_signals
from app.supports.models import Evidence, FundingSource, Support

MAX_AMOUNT = 10 ** 12          # VND; more is a typing error
REASON_MIN = 5
FUND_LEVELS = (PROVINCE, DISTRICT, COMMUNE)
OPEN_STATES = ("pending", "queried")      # a disbursement still awaiting the Front
ENTRY_FIELDS = ("fund_id", "kind", "amount", "is_reversal", "entry_date", "document_number",
                "donor_name", "donor_kind", "campaign", "support_id", "purpose", "state",
                "counterpart_id", "reverses_id", "reason")
FUND_FIELDS = ("unit_id", "kind", "name", "funding_source_code", "is_active")


def _(text: str, **values) -> str:
    """Messages in the user's language inside a request; Vietnamese elsewhere (CLI, demo,
    workers), where there is no session to choose a language from."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


class FundRefused(ValueError):
    """A rule refused the write; `field` names the data key (form field) it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


LedgerError = AppendOnlyError


# The balance -------------------------------------------------------------------------------

def signed_amount():
    """SQL expression: the entry's amount with its sign in the balance."""
    increases = FundEntry.kind.in_([k for k, s in SIGN.items() if s > 0])
    return case((increases == FundEntry.is_reversal, -FundEntry.amount), else_=FundEntry.amount)


def balance(fund_id: int, before: date | None = None, until: date | None = None) -> int:
    """Σ signed posted entries of the fund (entries dated before `before` / up to `until`)."""
    stmt = select(func.coalesce(func.sum(signed_amount()), 0)).where(
        FundEntry.fund_id == fund_id, FundEntry.state == "posted")
    if before is not None:
        stmt = stmt.where(FundEntry.entry_date < before)
    if until is not None:
        stmt = stmt.where(FundEntry.entry_date <= until)
    return int(db.session.scalar(stmt) or 0)


def lock_funds(*funds: Fund) -> None:
    """Lock the fund rows for the rest of the transaction, in id order (no deadlock between a
    transfer A→B and B→A)."""
    for fund_id in sorted({f.id for f in funds}):
        if db.session.get_bind().dialect.name == "sqlite":
            # SQLite has no row locks; a write takes the database lock until commit.
            db.session.execute(update(Fund).where(Fund.id == fund_id)
                               .values(is_active=Fund.is_active)
                               .execution_options(synchronize_session=False))
        db.session.execute(select(Fund.id).where(Fund.id == fund_id).with_for_update())


def _ensure_covers(fund: Fund, amount: int, field: str = "amount"):
    """Under the lock: refuse when taking `amount` would make the balance negative."""
    available = balance(fund.id)
    if available < amount:
        raise FundRefused(_("Số dư quỹ không đủ: còn %(balance)s đồng, cần %(amount)s đồng.",
                            balance=_vnd(available), amount=_vnd(amount)), field)


def _vnd(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# Reading input ------------------------------------------------------------------------------

def _amount(value, field="amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FundRefused(_("Nhập số tiền (đồng)."), field)
    if value <= 0:
        raise FundRefused(_("Số tiền phải lớn hơn 0."), field)
    if value > MAX_AMOUNT:
        raise FundRefused(_("Số tiền quá lớn."), field)
    return value


def _date(value, field="entry_date") -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise FundRefused(_("Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy."), field)
    if value > clock.today():
        raise FundRefused(_("Ngày không được ở tương lai."), field)
    if value.year < 2000:
        raise FundRefused(_("Ngày không hợp lệ."), field)
    return value


def _text(value, limit, field, required_message=None) -> str:
    text = clean(value)
    if required_message and not text:
        raise FundRefused(required_message, field)
    if len(text) > limit:
        raise FundRefused(_("Không được dài quá %(n)s ký tự.", n=limit), field)
    return text


def _reason(value, field="reason") -> str:
    text = clean(value)
    if len(text) < REASON_MIN:
        raise FundRefused(_("Ghi lý do (ít nhất %(n)s ký tự).", n=REASON_MIN), field)
    if len(text) > 500:
        raise FundRefused(_("Không được dài quá %(n)s ký tự.", n=500), field)
    return text


def _user_id(user):
    return getattr(user, "id", None)


def published_until(fund_id: int) -> date | None:
    """The last day of the fund's last published disclosure period (None: nothing published)."""
    return db.session.scalar(select(func.max(DisclosureSnapshot.period_end))
                             .where(DisclosureSnapshot.fund_id == fund_id))


def disclosed_on(fund_id: int, entry_date: date) -> date | None:
    """The day an entry entering the balance now counts on in the disclosure, when not its
    own date: dated inside a published period, it counts on the first day after the last one.
    Call under the fund lock (publishing takes it too)."""
    until = published_until(fund_id)
    if until is not None and entry_date <= until:
        return until + timedelta(days=1)
    return None


def _new_entry(fund: Fund, user, recorded_by_id=None, **values) -> FundEntry:
    now = clock.utcnow()
    state = values.pop("state", "posted")
    if state == "posted":
        values["disclosed_on"] = disclosed_on(fund.id, values["entry_date"])
    entry = FundEntry(fund_id=fund.id, state=state,
                      recorded_by_id=recorded_by_id or _user_id(user), recorded_at=now,
                      posted_at=now if state == "posted" else None, **values)
    db.session.add(entry)
    db.session.flush()
    audit.record("create", "fund_entry", entry.id, after=audit.snapshot(entry, ENTRY_FIELDS),
                 user=user)
    return entry


# Funds --------------------------------------------------------------------------------------

def create_fund(unit: AdminUnit, data: dict, user) -> Fund:
    """A fund held at `unit` (a province, district or commune). data: kind (poor, gratitude,
    other), name (defaults to the kind's label and the unit), funding_source_code (a funding
    source of category "fund", or none): supports paid from that source in the unit's area draw
    on this fund, so one active fund per unit and source."""
    if unit is None or unit.level not in FUND_LEVELS or not unit.is_active:
        raise FundRefused(_("Quỹ chỉ lập ở cấp tỉnh, huyện hoặc xã."), "kind")
    kind = data.get("kind")
    if kind not in FUND_KIND_LABELS:
        raise FundRefused(_("Chọn loại quỹ."), "kind")
    code = (data.get("funding_source_code") or "").strip() or None
    if code is not None:
        source = db.session.get(FundingSource, code)
        if source is None or source.category != "fund" or not source.is_active:
            raise FundRefused(_("Chọn nguồn kinh phí loại quỹ trong danh mục."),
                              "funding_source_code")
    # Stored as data, in Vietnamese (the kind's label), whatever the creator's UI language.
    name = _text(data.get("name"), 200, "name") or f"{FUND_KIND_LABELS[kind]} {unit.name}"
    # Lock the unit row so two people creating the same fund at once cannot both succeed.
    db.session.execute(select(AdminUnit.id).where(AdminUnit.id == unit.id).with_for_update())
    same = select(Fund.id).where(Fund.unit_id == unit.id, Fund.is_active.is_(True))
    if code is not None and db.session.scalar(same.where(Fund.funding_source_code == code)):
        raise FundRefused(_("%(unit)s đã có quỹ gắn với nguồn kinh phí này.", unit=unit.name),
                          "funding_source_code")
    if db.session.scalar(same.where(Fund.name == name)):
        raise FundRefused(_("%(unit)s đã có quỹ cùng tên.", unit=unit.name), "name")
    lineage = unit.lineage()
    fund = Fund(unit_id=unit.id, province_id=lineage[PROVINCE], district_id=lineage[DISTRICT],
                commune_id=lineage[COMMUNE], kind=kind, name=name, funding_source_code=code,
                is_active=True, created_at=clock.utcnow())
    db.session.add(fund)
    db.session.flush()
    audit.record("create", "fund", fund.id, after=audit.snapshot(fund, FUND_FIELDS), user=user)
    return fund


# Receipts, spends, transfers ----------------------------------------------------------------

def record_receipt(fund: Fund, data: dict, user) -> FundEntry:
    """A receipt, posted when written. data: entry_date, donor_name, donor_kind (agency,
    business, individual), campaign, amount (int VND), document_number."""
    donor_kind = data.get("donor_kind")
    if donor_kind not in DONOR_KIND_LABELS or donor_kind == "transfer":
        raise FundRefused(_("Chọn loại nhà tài trợ."), "donor_kind")
    lock_funds(fund)          # the day it counts on is decided against a concurrent publish
    return _new_entry(
        fund, user, kind="receipt", amount=_amount(data.get("amount")),
        entry_date=_date(data.get("entry_date")),
        donor_name=_text(data.get("donor_name"), 200, "donor_name",
                         _("Ghi tên cơ quan, đơn vị hoặc người đóng góp.")),
        donor_kind=donor_kind, campaign=_text(data.get("campaign"), 200, "campaign"),
        document_number=_text(data.get("document_number"), 60, "document_number"))


def record_spend(fund: Fund, data: dict, user) -> FundEntry:
    """A documented spend without a household (relief, a campaign's costs…), posted at once
    under the fund lock. data: entry_date, purpose, amount, document_number (required)."""
    amount = _amount(data.get("amount"))
    values = dict(
        kind="disbursement", amount=amount, entry_date=_date(data.get("entry_date")),
        purpose=_text(data.get("purpose"), 2000, "purpose", _("Ghi nội dung chi.")),
        document_number=_text(data.get("document_number"), 60, "document_number",
                              _("Ghi số chứng từ của khoản chi.")))
    lock_funds(fund)
    _ensure_covers(fund, amount)
    return _new_entry(fund, user, **values)


def transfer_targets(fund: Fund) -> list[Fund]:
    """Funds a transfer may go to: active funds of the same kind at an ancestor or descendant
    unit (province ↔ district ↔ commune), never the fund itself."""
    unit = fund.unit
    related = select(AdminUnit.id).where(
        AdminUnit.level.in_(FUND_LEVELS), AdminUnit.id != unit.id,
        (AdminUnit.path.startswith(unit.path, autoescape=True))
        | AdminUnit.id.in_(unit.ancestor_ids))
    return db.session.scalars(
        select(Fund).join(AdminUnit, AdminUnit.id == Fund.unit_id)
        .where(Fund.unit_id.in_(related), Fund.kind == fund.kind, Fund.is_active.is_(True),
               Fund.id != fund.id).order_by(AdminUnit.path, Fund.name)).all()


def transfer(fund: Fund, data: dict, user) -> tuple[FundEntry, FundEntry]:
    """Move money to a fund at another level: an entry out here and one in there, written
    together (one transaction) and pointing at each other. data: to_fund_id, entry_date,
    amount, document_number, purpose."""
    amount = _amount(data.get("amount"))
    entry_date = _date(data.get("entry_date"))
    try:
        target_id = int(data.get("to_fund_id") or 0)
    except (TypeError, ValueError):
        target_id = 0
    target = next((f for f in transfer_targets(fund) if f.id == target_id), None)
    if target is None:
        raise FundRefused(_("Chọn quỹ nhận (cùng loại, ở cấp trên hoặc cấp dưới)."), "to_fund_id")
    common = dict(amount=amount, entry_date=entry_date,
                  document_number=_text(data.get("document_number"), 60, "document_number",
                                        _("Ghi số chứng từ của khoản chuyển.")),
                  purpose=_text(data.get("purpose"), 2000, "purpose"))
    lock_funds(fund, target)
    _ensure_covers(fund, amount)
    out = _new_entry(fund, user, kind="transfer_out", **common)
    incoming = _new_entry(target, user, kind="transfer_in", donor_kind="transfer",
                          donor_name=fund.name, counterpart_id=out.id, **common)
    _link(out, incoming)
    return out, incoming


def _link(first: FundEntry, second: FundEntry):
    """Point `first` at its counterpart, once, as part of writing the pair (the ORM guard
    refuses later edits; this UPDATE only fills a link that is still empty)."""
    linked = db.session.execute(
        update(FundEntry).where(FundEntry.id == first.id, FundEntry.counterpart_id.is_(None))
        .values(counterpart_id=second.id).execution_options(synchronize_session=False)).rowcount
    if linked != 1:
        raise LedgerError(f"fund entry {first.id} already has a counterpart")
    set_committed_value(first, "counterpart_id", second.id)


# From support to disbursement ---------------------------------------------------------------

def fund_for_support(support: Support) -> Fund | None:
    """The fund that pays a support from its funding source: the household's commune fund for
    that source, else the nearest ancestor's (district, then province)."""
    levels = [(support.commune_id, 0), (support.district_id, 1), (support.province_id, 2)]
    unit_ids = [unit_id for unit_id, _rank in levels if unit_id is not None]
    depth = case({unit_id: rank for unit_id, rank in levels if unit_id is not None},
                 value=Fund.unit_id)
    return db.session.scalar(
        select(Fund).where(Fund.funding_source_code == support.funding_source_code,
                           Fund.is_active.is_(True), Fund.unit_id.in_(unit_ids))
        .order_by(depth, Fund.id).limit(1))


def disbursement_of(support_id: int) -> FundEntry | None:
    return db.session.scalar(select(FundEntry).where(
        FundEntry.support_id == support_id, FundEntry.kind == "disbursement",
        FundEntry.is_reversal.is_(False)).order_by(FundEntry.id).limit(1))


def create_disbursement_for_support(support: Support) -> FundEntry | None:
    """Called when a support is recorded: a support paid from a funding source of category
    "fund" becomes a PENDING disbursement in the fund covering the household; it counts in the
    balance once the fund's managers post it. None when the source is not a fund, the value is
    not positive, the support is a reversal, or no fund covers the household (then the support
    stands alone; the fund list shows no entry for it)."""
    if support.reverses_id is not None or (support.value_vnd or 0) <= 0:
        return None
    source = db.session.get(FundingSource, support.funding_source_code)
    if source is None or source.category != "fund":
        return None
    existing = disbursement_of(support.id)
    if existing is not None:
        return existing
    fund = fund_for_support(support)
    if fund is None:
        return None
    return _new_entry(fund, None, recorded_by_id=support.recorded_by_id, kind="disbursement",
                      amount=support.value_vnd, entry_date=support.delivered_on,
                      support_id=support.id, purpose=clean(support.description)[:2000],
                      state="pending")


# The Front's review of a disbursement -------------------------------------------------------

def _event(entry: FundEntry, action: str, comment: str, user) -> FundReviewEvent:
    event_row = FundReviewEvent(entry_id=entry.id, action=action, comment=comment,
                                user_id=_user_id(user), at=clock.utcnow())
    db.session.add(event_row)
    return event_row


def _open_disbursement(entry: FundEntry):
    if entry.kind != "disbursement" or entry.is_reversal:
        raise FundRefused(_("Chỉ xét duyệt được khoản chi."), "comment")
    if entry.state not in OPEN_STATES:
        raise FundRefused(_("Khoản chi này đã được xử lý."), "comment")


def _move(entry: FundEntry, new_state: str, user, action: str, comment: str, **extra):
    """Move an open disbursement on atomically (UPDATE … WHERE state is still open)."""
    before = entry.state
    values = {"state": new_state}
    if new_state == "posted":      # under the fund lock (post_disbursement)
        values["posted_at"] = clock.utcnow()
        values["disclosed_on"] = disclosed_on(entry.fund_id, entry.entry_date)
    moved = db.session.execute(
        update(FundEntry).where(FundEntry.id == entry.id, FundEntry.state.in_(OPEN_STATES))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(entry)
    if moved != 1:
        raise FundRefused(_("Khoản chi này vừa được người khác xử lý."), "comment")
    row = _event(entry, action, comment, user)
    row.reason = extra.get("reason")
    after = {"state": new_state, **({"comment": comment} if comment else {}), **extra}
    if entry.disclosed_on is not None:
        after["disclosed_on"] = entry.disclosed_on.isoformat()
    audit.record(action, "fund_entry", entry.id, before={"state": before}, after=after,
                 user=user)


CONCERN_LABELS = {"unverified": N_("xã chưa xác minh khoản hỗ trợ"),
                  "no_evidence": N_("chưa có minh chứng")}


def approval_concerns(entry: FundEntry) -> list[str]:
    """Why approving this disbursement needs a written reason (CONCERN_LABELS keys; empty: it
    does not): the commune has not verified the support it pays, or no evidence file backs it."""
    concerns = []
    support = db.session.get(Support, entry.support_id) if entry.support_id else None
    if support is not None and support.verification != "verified":
        concerns.append("unverified")
    if support is None or not db.session.scalar(
            select(Evidence.id).where(Evidence.support_id == support.id).limit(1)):
        concerns.append("no_evidence")
    return concerns


def post_disbursement(entry: FundEntry, user, comment: str = "", reason: str = "") -> FundEntry:
    """Approve a pending or queried disbursement: it is posted and counts in the balance.
    Refused when the balance (recomputed under the fund lock) does not cover it, or when the
    support it pays was rejected or reversed. When the commune has not verified the support or
    it has no evidence (approval_concerns), the approver writes why (`reason`, ≥ 5 characters,
    kept on the approval event and in the audit row); otherwise a reason is not asked for."""
    comment = _text(comment, 2000, "comment")
    _open_disbursement(entry)
    if entry.support_id is not None:
        support = db.session.get(Support, entry.support_id)
        if support.verification == "rejected":
            raise FundRefused(_("Khoản hỗ trợ đã bị xã từ chối xác nhận: không thể chi."),
                              "comment")
        if db.session.scalar(select(Support.id).where(Support.reverses_id == support.id)):
            raise FundRefused(_("Khoản hỗ trợ đã được điều chỉnh (đảo): không thể chi."),
                              "comment")
    concerns = approval_concerns(entry)
    extra = {}
    if concerns:
        text = clean(reason)
        if len(text) < REASON_MIN:
            raise FundRefused(_("Cần ghi lý do duyệt chi (ít nhất %(n)s ký tự) vì %(concerns)s.",
                                n=REASON_MIN, concerns=f" {_('và')} ".join(
                                    _(CONCERN_LABELS[c]) for c in concerns)), "reason")
        extra = {"reason": _reason(text, "reason"), "concerns": concerns}
    lock_funds(entry.fund)
    db.session.refresh(entry)          # the state as of the lock
    _open_disbursement(entry)
    _ensure_covers(entry.fund, entry.amount, "comment")
    _move(entry, "posted", user, "approve", comment, **extra)
    return entry


def query_disbursement(entry: FundEntry, comment: str, user) -> FundEntry:
    """The Front asks about a disbursement: it stays out of the balance, with the question."""
    comment = _text(comment, 2000, "comment", _("Ghi nội dung cần làm rõ."))
    _open_disbursement(entry)
    _move(entry, "queried", user, "query", comment)
    return entry


def settle_withdrawn_support(support: Support, reason: str, user) -> FundEntry | None:
    """A reversed or rejected support takes its fund payment with it: an open (pending or
    queried) disbursement is cancelled, a posted one is reversed so the money is back."""
    entry = disbursement_of(support.id)
    if entry is None or entry.state == "cancelled":
        return None
    if entry.state == "posted":
        return reverse_entry(entry, reason, user)
    return cancel_disbursement(entry, reason, user)


def cancel_disbursement(entry: FundEntry, reason: str, user) -> FundEntry:
    """The fund will not pay this item (wrong fund, support withdrawn…): closed, never posted."""
    reason = _reason(reason, "comment")
    _open_disbursement(entry)
    _move(entry, "cancelled", user, "cancel", reason)
    return entry


def add_comment(entry: FundEntry, comment: str, user) -> FundReviewEvent:
    """A comment in the thread of an open disbursement (the commune's reply to a query, or the
    Front's follow-up); the state does not change."""
    comment = _text(comment, 2000, "comment", _("Ghi nội dung trao đổi."))
    _open_disbursement(entry)
    row = _event(entry, "comment", comment, user)
    db.session.flush()
    audit.record("comment", "fund_entry", entry.id, after={"comment": comment}, user=user)
    return row


# Corrections --------------------------------------------------------------------------------

def reversal_of(entry_id: int) -> FundEntry | None:
    return db.session.scalar(select(FundEntry).where(FundEntry.reverses_id == entry_id))


def reverse_entry(entry: FundEntry, reason: str, user, entry_date: date | None = None
                  ) -> FundEntry:
    """Cancel a posted entry with a new one of opposite sign (same fund, kind, donor, support,
    so every sum nets out), once. A transfer is reversed on both sides together. Refused when
    it would make a balance negative (reversing a receipt that was already spent)."""
    reason = _reason(reason)
    entry_date = _date(entry_date or clock.today(), "reason")
    if entry.is_reversal:
        raise FundRefused(_("Đây là bút toán đảo; không thể đảo lại."), "reason")
    if entry.state != "posted":
        raise FundRefused(_("Chỉ đảo được bút toán đã ghi sổ; khoản chờ duyệt thì hủy."),
                          "reason")
    pair = [entry]
    if entry.counterpart_id is not None:
        pair.append(db.session.get(FundEntry, entry.counterpart_id))
    lock_funds(*[e.fund for e in pair])
    if any(reversal_of(e.id) is not None for e in pair):
        raise FundRefused(_("Bút toán này đã được đảo trước đó."), "reason")
    for original in pair:
        if SIGN[original.kind] > 0:          # reversing it lowers the balance
            _ensure_covers(original.fund, original.amount, "reason")
    reversals = []
    try:
        with db.session.begin_nested():      # uq_fund_entry_reverses_id: two people at once
            for original in pair:
                reversals.append(_new_entry(
                    original.fund, user, kind=original.kind, amount=original.amount,
                    is_reversal=True, entry_date=entry_date,
                    document_number=original.document_number, donor_name=original.donor_name,
                    donor_kind=original.donor_kind, campaign=original.campaign,
                    support_id=original.support_id, purpose=original.purpose,
                    reverses_id=original.id, reason=reason,
                    counterpart_id=reversals[0].id if reversals else None))
    except IntegrityError:
        raise FundRefused(_("Bút toán này đã được đảo trước đó."), "reason")
    if len(reversals) == 2:
        _link(reversals[0], reversals[1])
    return reversals[0]


# Supports announce themselves (supports knows nothing of funds) --------------------------

@support_signals.support_recorded.connect
def _on_support_recorded(support: Support):
    create_disbursement_for_support(support)


@support_signals.support_withdrawn.connect
def _on_support_withdrawn(support: Support, reason: str, user):
    settle_withdrawn_support(support, reason, user)
