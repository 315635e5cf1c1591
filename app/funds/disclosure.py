"""The public disclosure sheet of a fund for a period (công khai thu, chi): opening balance,
receipts by donor kind, spending by support type and by hamlet, transfers to other levels,
closing balance, and the list of contributions. Sums of posted entries dated in the period,
reversals netted; opening + receipts − spending − transfers out = closing, by construction of
the same ledger. No personal data of households: spending is shown by type and hamlet only."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from app.core import lookups
from app.core.excel import Column, Sheet
from app.core.units import COMMUNE, AdminUnit
from app.extensions import db
from app.funds.models import DONOR_KIND_LABELS, Fund, FundEntry
from app.funds.services import _, balance, signed_amount
from app.supports.models import Support


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


def _in_period(stmt, fund, start, end):
    return stmt.where(FundEntry.fund_id == fund.id, FundEntry.state == "posted",
                      FundEntry.entry_date >= start, FundEntry.entry_date <= end)


def build(fund: Fund, start: date, end: date) -> Disclosure:
    d = Disclosure(fund, start, end, opening=balance(fund.id, before=start),
                   closing=balance(fund.id, until=end))
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
        .order_by(FundEntry.entry_date, FundEntry.id))]
    return d


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
