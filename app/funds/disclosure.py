"""The public disclosure sheet of a fund for a period (công khai thu, chi): opening balance,
receipts by donor kind, spending by support type and by hamlet, transfers to other levels,
closing balance, and the list of contributions. Sums of posted entries dated in the period,
reversals netted; opening + receipts − spending − transfers out = closing, by construction of
the same ledger. No personal data of households: spending is shown by type and hamlet only.

Publishing (công khai) freezes a period: `publish` stores the sheet as a DisclosureSnapshot and
the page and the .xlsx of that period show the snapshot ("Đã công khai ngày …") from then on.
The rule that keeps a posted notice true: an entry counts on its `disclosed_on` day when it has
one, else on its own date. An entry entering the balance after the fund published a period
containing its date — the Front approving an old payout, a back-dated receipt, a reversal —
gets disclosed_on = the first day after the last published period (services.disclosed_on,
under the fund lock that publishing also takes). So a published period's figures never move,
and the late entry shows in the current period: the first unpublished one, which starts the
day after the last published period ends (a fund's published periods are consecutive:
`publish` refuses a gap or an overlap). Opening of the current period = closing of the last
published one, both computed from the same ledger."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import case, func, select

from app.core import audit, clock, lookups
from app.core.excel import Column, Sheet
from app.core.scoping import scoped
from app.core.units import COMMUNE, AdminUnit
from app.extensions import db
from app.funds.models import DONOR_KIND_LABELS, DisclosureSnapshot, Fund, FundEntry
from app.funds.services import (FundRefused, _, lock_funds, published_until, signed_amount)
from app.supports.models import Support


@dataclass
class Contribution:
    """A line of the list of contributions, as frozen in a snapshot (a FundEntry has the same
    attributes, so the page and the workbook read either)."""
    entry_date: date
    donor_name: str
    donor_kind: str | None
    campaign: str
    document_number: str
    is_reversal: bool


@dataclass
class Disclosure:
    fund: Fund
    start: date
    end: date
    opening: int = 0
    closing: int = 0
    receipts_by_kind: list = field(default_factory=list)     # (label, amount)
    spending_by_type: list = field(default_factory=list)     # (label, count, amount)
    spending_by_hamlet: list = field(default_factory=list)   # (label, count, amount)
    spending_detail: list = field(default_factory=list)      # (type, hamlet, count, amount)
    contributions: list = field(default_factory=list)        # FundEntry, signed amount
    transfers_out: int = 0
    published: DisclosureSnapshot | None = None               # shown from a snapshot

    @property
    def receipts_total(self) -> int:
        return sum(amount for _label, amount in self.receipts_by_kind)

    @property
    def spending_total(self) -> int:
        return sum(amount for _label, _n, amount in self.spending_by_type)

    @property
    def spending_count(self) -> int:
        return sum(n for _label, n, _amount in self.spending_by_type)

    @property
    def balanced(self) -> bool:
        return (self.opening + self.receipts_total - self.spending_total - self.transfers_out
                == self.closing)


# The day an entry counts on in the disclosure (see the module's docstring).
DISCLOSED_ON = func.coalesce(FundEntry.disclosed_on, FundEntry.entry_date)


def _in_period(stmt, fund, start, end):
    return stmt.where(FundEntry.fund_id == fund.id, FundEntry.state == "posted",
                      DISCLOSED_ON >= start, DISCLOSED_ON <= end)


def _balance(fund: Fund, before: date | None = None, until: date | None = None) -> int:
    stmt = select(func.coalesce(func.sum(signed_amount()), 0)).where(
        FundEntry.fund_id == fund.id, FundEntry.state == "posted")
    if before is not None:
        stmt = stmt.where(DISCLOSED_ON < before)
    if until is not None:
        stmt = stmt.where(DISCLOSED_ON <= until)
    return int(db.session.scalar(stmt) or 0)


def build(fund: Fund, start: date, end: date) -> Disclosure:
    """The sheet computed from the ledger now (a published period: `shown` gives the snapshot)."""
    d = Disclosure(fund, start, end, opening=_balance(fund, before=start),
                   closing=_balance(fund, until=end))
    signed = signed_amount()

    rows = db.session.execute(_in_period(
        select(FundEntry.donor_kind, func.sum(signed))
        .where(FundEntry.kind.in_(("receipt", "transfer_in"))), fund, start, end)
        .group_by(FundEntry.donor_kind)).all()
    found = {kind: int(total or 0) for kind, total in rows}
    d.receipts_by_kind = [(_(label), found.pop(kind, 0)) for kind, label in DONOR_KIND_LABELS.items()]
    if found:   # a donor kind that is not (any more) in the list
        d.receipts_by_kind.append((_("Khác"), sum(found.values())))

    d.transfers_out = -int(db.session.scalar(_in_period(
        select(func.coalesce(func.sum(signed), 0)).where(FundEntry.kind == "transfer_out"),
        fund, start, end)) or 0)

    # Spending: a disbursement counts 1, its reversal −1, so counts and sums net out.
    count = func.sum(case((FundEntry.is_reversal, -1), else_=1))
    spent = -func.sum(signed)
    detail = db.session.execute(_in_period(
        select(Support.type_code, Support.hamlet_id, count, spent)
        .select_from(FundEntry).outerjoin(Support, Support.id == FundEntry.support_id)
        .where(FundEntry.kind == "disbursement"), fund, start, end)
        .group_by(Support.type_code, Support.hamlet_id)).all()
    types = lookups.labels("support_type")
    hamlets = _hamlet_names({h for _t, h, _n, _a in detail if h}, fund)
    no_household = _("Chi không theo hộ (có chứng từ)")
    by_type, by_hamlet = {}, {}
    for type_code, hamlet_id, n, amount in detail:
        type_label = types.get(type_code, type_code) if type_code else no_household
        hamlet_label = hamlets.get(hamlet_id, "") if hamlet_id else no_household
        n, amount = int(n or 0), int(amount or 0)
        d.spending_detail.append((type_label, hamlet_label, n, amount))
        for bucket, key in ((by_type, type_label), (by_hamlet, hamlet_label)):
            old = bucket.get(key, (0, 0))
            bucket[key] = (old[0] + n, old[1] + amount)
    d.spending_detail.sort(key=lambda r: (r[0] == no_household, r[0], r[1]))
    d.spending_by_type = sorted(((k, n, a) for k, (n, a) in by_type.items()),
                                key=lambda r: (r[0] == no_household, r[0]))
    d.spending_by_hamlet = sorted(((k, n, a) for k, (n, a) in by_hamlet.items()),
                                  key=lambda r: (r[0] == no_household, r[0]))

    d.contributions = [(e, e.signed_amount) for e in db.session.scalars(_in_period(
        select(FundEntry).where(FundEntry.kind.in_(("receipt", "transfer_in"))), fund, start, end)
        .order_by(DISCLOSED_ON, FundEntry.entry_date, FundEntry.id))]
    return d


# Published periods --------------------------------------------------------------------------

def snapshots(fund: Fund) -> list[DisclosureSnapshot]:
    """The fund's published periods, latest first (read through the scope)."""
    return db.session.scalars(scoped(select(DisclosureSnapshot), DisclosureSnapshot)
                              .where(DisclosureSnapshot.fund_id == fund.id)
                              .order_by(DisclosureSnapshot.period_start.desc())).all()


def next_start(fund: Fund) -> date | None:
    """The first day of the current (first unpublished) period; None before any publishing."""
    until = published_until(fund.id)
    return until + timedelta(days=1) if until is not None else None


def current_period(fund: Fund, today: date | None = None) -> tuple[date, date]:
    """The period to publish next: from the day after the last published period (before any:
    1 January) to today. When the published periods already reach today: the last one."""
    today = today or clock.today()
    first = next_start(fund)
    if first is None:
        return date(today.year, 1, 1), today
    if first > today:
        last = snapshots(fund)[0]
        return last.period_start, last.period_end
    return first, today


def shown(fund: Fund, start: date, end: date) -> Disclosure:
    """The sheet of a period: the snapshot when exactly this period was published, else live."""
    snapshot = db.session.scalar(
        scoped(select(DisclosureSnapshot), DisclosureSnapshot)
        .where(DisclosureSnapshot.fund_id == fund.id, DisclosureSnapshot.period_start == start,
               DisclosureSnapshot.period_end == end))
    return thaw(snapshot) if snapshot is not None else build(fund, start, end)


def freeze(d: Disclosure) -> dict:
    """The sheet's rows as JSON data (labels as shown, in the language it was built in)."""
    return {"opening": d.opening, "closing": d.closing, "transfers_out": d.transfers_out,
            "receipts_by_kind": [list(r) for r in d.receipts_by_kind],
            "spending_by_type": [list(r) for r in d.spending_by_type],
            "spending_by_hamlet": [list(r) for r in d.spending_by_hamlet],
            "spending_detail": [list(r) for r in d.spending_detail],
            "contributions": [{"entry_date": e.entry_date.isoformat(), "donor_name": e.donor_name,
                               "donor_kind": e.donor_kind, "campaign": e.campaign,
                               "document_number": e.document_number,
                               "is_reversal": bool(e.is_reversal), "amount": amount}
                              for e, amount in d.contributions],
            "totals": {"receipts": d.receipts_total, "spending": d.spending_total,
                       "spending_count": d.spending_count}}


def thaw(snapshot: DisclosureSnapshot) -> Disclosure:
    data = snapshot.data
    contributions = []
    for row in data["contributions"]:
        row = dict(row)
        amount = row.pop("amount")
        row["entry_date"] = date.fromisoformat(row["entry_date"])
        contributions.append((Contribution(**row), amount))
    return Disclosure(
        snapshot.fund, snapshot.period_start, snapshot.period_end, opening=data["opening"],
        closing=data["closing"], transfers_out=data["transfers_out"],
        receipts_by_kind=[tuple(r) for r in data["receipts_by_kind"]],
        spending_by_type=[tuple(r) for r in data["spending_by_type"]],
        spending_by_hamlet=[tuple(r) for r in data["spending_by_hamlet"]],
        spending_detail=[tuple(r) for r in data["spending_detail"]],
        contributions=contributions, published=snapshot)


def publish(fund: Fund, start: date, end: date, user) -> DisclosureSnapshot:
    """Publish the fund's sheet for [start, end]: a frozen snapshot, labels in Vietnamese.
    The period follows the last published one without a gap (it starts the day after it
    ends; the first one starts when the Front chooses) and ends by today. Under the fund
    lock, so an entry being posted at the same moment either is in the snapshot or counts in
    the next period (services.disclosed_on). The caller checks that `user` manages the fund."""
    today = clock.today()
    if start is None or end is None:
        raise FundRefused(_("Nhập kỳ công khai (từ ngày, đến ngày), dạng dd/mm/yyyy."), "period")
    if start > end:
        raise FundRefused(_("Ngày bắt đầu phải trước ngày kết thúc."), "period")
    if end > today:
        raise FundRefused(_("Chỉ công khai kỳ đã kết thúc hoặc kết thúc hôm nay."), "period")
    if start.year < 2000:
        raise FundRefused(_("Ngày không hợp lệ."), "period")
    lock_funds(fund)
    first = next_start(fund)
    if first is not None and start != first:
        raise FundRefused(_("Kỳ công khai tiếp theo phải bắt đầu từ ngày %(d)s (ngay sau kỳ đã "
                            "công khai).", d=first.strftime("%d/%m/%Y")), "period")
    with force_locale("vi"):          # the notice as posted, in Vietnamese
        sheet = build(fund, start, end)
        data = freeze(sheet)
    snapshot = DisclosureSnapshot(
        fund_id=fund.id, unit_id=fund.unit_id, province_id=fund.province_id,
        district_id=fund.district_id, commune_id=fund.commune_id, period_start=start,
        period_end=end, opening=sheet.opening, closing=sheet.closing, data=data,
        published_at=clock.utcnow(), published_by_id=getattr(user, "id", None))
    db.session.add(snapshot)
    db.session.flush()
    audit.record("publish", "disclosure_snapshot", snapshot.id, user=user, after={
        "fund_id": fund.id, "from": start.isoformat(), "to": end.isoformat(),
        "opening": sheet.opening, "closing": sheet.closing, **data["totals"]})
    return snapshot


def _hamlet_names(ids, fund) -> dict[int, str]:
    if not ids:
        return {}
    units = db.session.scalars(select(AdminUnit).where(AdminUnit.id.in_(ids))).all()
    if fund.unit.level == COMMUNE:
        return {u.id: u.name for u in units}
    return {u.id: f"{u.name}, {u.parent.name}" if u.parent else u.name for u in units}


# Excel --------------------------------------------------------------------------------------

def _period(d: Disclosure) -> str:
    return _("Từ ngày %(start)s đến ngày %(end)s", start=d.start.strftime("%d/%m/%Y"),
             end=d.end.strftime("%d/%m/%Y"))


def sheets(d: Disclosure) -> list[Sheet]:
    heading = [_("CÔNG KHAI THU, CHI QUỸ"), d.fund.name, d.fund.unit.full_name(), _period(d)]
    if d.published is not None:
        heading.append(_("Đã công khai ngày %(d)s", d=d.published.published_at.strftime("%d/%m/%Y")))
    summary = [(_("I. Số dư đầu kỳ"), None, d.opening),
               (_("II. Thu trong kỳ"), None, d.receipts_total)]
    summary += [(f"    {label}", None, amount) for label, amount in d.receipts_by_kind]
    summary.append((_("III. Chi trong kỳ"), d.spending_count, d.spending_total))
    summary.append(("  " + _("Theo loại hỗ trợ"), None, None))
    summary += [(f"    {label}", n, amount) for label, n, amount in d.spending_by_type]
    summary.append(("  " + _("Theo thôn, tổ dân phố"), None, None))
    summary += [(f"    {label}", n, amount) for label, n, amount in d.spending_by_hamlet]
    summary.append((_("IV. Chuyển quỹ cấp khác"), None, d.transfers_out))
    summary.append((_("V. Số dư cuối kỳ"), None, d.closing))
    amount_col = Column(_("Số tiền (đồng)"), "vnd", 18)
    return [
        Sheet(_("Tổng hợp"), heading,
              [Column(_("Nội dung"), "text", 56), Column(_("Số khoản"), "int", 10), amount_col],
              summary, notes=[_("Số dư cuối kỳ = số dư đầu kỳ + thu − chi − chuyển quỹ cấp khác.")]),
        Sheet(_("Danh sách đóng góp"), heading,
              [Column(_("Ngày"), "date", 12), Column(_("Cơ quan, đơn vị, cá nhân"), "text", 40),
               Column(_("Loại"), "text", 20), Column(_("Đợt vận động"), "text", 30),
               Column(_("Số chứng từ"), "text", 16), amount_col],
              ((e.entry_date, e.donor_name, _(DONOR_KIND_LABELS.get(e.donor_kind, "")) if e.donor_kind else "",
                e.campaign, e.document_number, amount) for e, amount in d.contributions),
              totals=(None, _("Cộng"), None, None, None, d.receipts_total)),
        Sheet(_("Chi theo loại và thôn"), heading,
              [Column(_("Loại hỗ trợ"), "text", 40), Column(_("Thôn, tổ dân phố"), "text", 30),
               Column(_("Số khoản"), "int", 10), amount_col],
              d.spending_detail, totals=(_("Cộng"), None, d.spending_count, d.spending_total)),
    ]
