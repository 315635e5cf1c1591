"""Demo funds (deterministic for a seed): Quỹ "Vì người nghèo" and Quỹ "Đền ơn đáp nghĩa" of
the province and of the two demo communes (xa1's and xa2's), receipts of the Tết and
"Tháng cao điểm Vì người nghèo" (17/10–18/11) / "Đền ơn đáp nghĩa" (28/6–27/7) campaigns,
allocations from the province to the communes, a few documented spends without a household,
and a disbursement for every demo support paid from a fund (the commune's fund, else the
province's): most approved, recent ones pending, some queried with their comment thread,
those the commune rejected or reversed not paid.

Bulk inserts with explicit ids, like the other demo data. The ledger is replayed in date order
so that no fund's balance is ever negative on any day (an item the balance does not cover stays
pending). Nothing is dated after today."""
import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select, text

from app.core import clock
from app.core.users import User
from app.extensions import db
from app.funds.models import SIGN, Fund, FundEntry, FundReviewEvent
from app.supports.models import FundingSource, Support

POOR_CAMPAIGN = "Tháng cao điểm Vì người nghèo"
GRATITUDE_CAMPAIGN = "Tháng cao điểm Đền ơn đáp nghĩa"
TET_CAMPAIGN = "Tết vì người nghèo và nạn nhân chất độc da cam"
DONORS = {
    "agency": ["Văn phòng UBND", "Kho bạc Nhà nước", "Trường THCS", "Trạm Y tế", "Công an",
               "Ban Chỉ huy Quân sự", "Bưu điện văn hóa", "Chi nhánh Ngân hàng Chính sách xã hội"],
    "business": ["Công ty TNHH Nông sản Bình Sơn", "Công ty CP Xây dựng Hòa Bình",
                 "Doanh nghiệp tư nhân Phú Lộc", "HTX Nông nghiệp Đồng Tâm",
                 "Công ty TNHH Vật liệu Sơn Hà", "Cửa hàng Vật tư nông nghiệp Tân Lập"],
    "individual": ["Ông Nguyễn Văn Hùng", "Bà Trần Thị Lan", "Ông Lê Quang Vinh",
                   "Bà Phạm Thị Thu", "Gia đình ông Hoàng Đức Thắng", "Bà con quê hương xa quê"],
}
SPENDS = {"poor": ["Hỗ trợ đột xuất hộ bị thiệt hại do mưa bão", "Thăm, tặng quà hộ nghèo ốm đau",
                   "Chi phí tổ chức phát động Tháng cao điểm"],
          "gratitude": ["Thăm, tặng quà gia đình chính sách dịp 27/7",
                        "Tu sửa Nhà bia ghi danh liệt sĩ"]}
QUERIES = ["Đề nghị bổ sung biên bản bàn giao có chữ ký của hộ.",
           "Giá trị cao hơn mức hỗ trợ của quỹ; đề nghị xã giải trình.",
           "Chưa có ảnh minh chứng; đề nghị bổ sung trước khi duyệt chi."]
REPLIES = ["Xã đã bổ sung biên bản bàn giao ngày hôm nay.",
           "Hộ thuộc diện khó khăn đặc biệt, Ban Thường trực đã thống nhất mức hỗ trợ."]


def build(province, communes, seed: int = 2026) -> dict:
    rng = random.Random(seed * 31 + 7)
    today = clock.today()
    users = {u.username: u.id for u in db.session.scalars(select(User))}
    fronts = {communes[0].id: users.get("mttq1")}
    funds = _funds(province, communes[:2])

    supports = _fund_supports(province)
    reversed_ids = set(db.session.scalars(select(Support.reverses_id)
                                          .where(Support.reverses_id.is_not(None))))
    ledger = _Ledger(rng, today)
    needs = defaultdict(int)     # (fund id, year) → value of the supports it will pay
    plan = []
    for s in supports:
        fund = funds.get((s.commune_id, s.funding_source_code)) or funds.get(
            (province.id, s.funding_source_code))
        if fund is None or s.delivered_on > today:
            continue
        plan.append((s, fund))
        needs[fund.id, s.delivered_on.year] += s.value_vnd

    poor_province = funds[province.id, "fund_poor"]
    for (unit_id, code), fund in funds.items():
        level_factor = 3 if unit_id == province.id else 1
        for year in (2025, 2026):
            need = needs.get((fund.id, year), 0)
            # Tết campaign: covers most of the year's planned spending, early in the year.
            tet_total = max(10_000_000 * level_factor, round(need * 1.1, -5))
            ledger.campaign(fund, TET_CAMPAIGN, date(year, 1, 3), date(year, 1, 25), tet_total)
            if fund.kind == "poor":
                ledger.campaign(fund, POOR_CAMPAIGN, date(year, 10, 17), date(year, 11, 18),
                                30_000_000 * level_factor)
            else:
                ledger.campaign(fund, GRATITUDE_CAMPAIGN, date(year, 6, 28), date(year, 7, 27),
                                20_000_000 * level_factor)
            if unit_id != province.id:
                for day, purpose in zip((date(year, 8, 12), date(year, 12, 5)), SPENDS[fund.kind]):
                    ledger.spend(fund, day, rng.randrange(3, 12) * 1_000_000, purpose)
                if code == "fund_poor":
                    ledger.transfer(poor_province, fund, date(year, 11, 25), 15_000_000)

    queried_left = {communes[0].id: 3}
    for s, fund in plan:
        state, events = "posted", []
        front = fronts.get(fund.unit_id)
        if s.verification == "rejected" or s.id in reversed_ids:
            state = "cancelled"
            events.append(("cancel", "Xã không xác nhận hoặc đã điều chỉnh khoản hỗ trợ này.", front))
        elif (today - s.delivered_on).days < 40 or s.verification == "pending":
            state = "pending"
        elif queried_left.get(fund.unit_id, 0) > 0 or rng.random() < 0.06:
            state = "queried"
            queried_left[fund.unit_id] = queried_left.get(fund.unit_id, 1) - 1
            events.append(("query", rng.choice(QUERIES), front))
            if rng.random() < 0.5:
                events.append(("comment", rng.choice(REPLIES), s.recorded_by_id))
        else:
            events.append(("approve", "", front))
        ledger.disbursement(fund, s, state, events)
    counts = ledger.write()
    return {"funds": len(funds), **counts}


def _funds(province, communes) -> dict:
    sources = {code: label for code, label in db.session.execute(
        select(FundingSource.code, FundingSource.label).where(FundingSource.category == "fund"))}
    funds = {}
    for unit in (province, *communes):
        lineage = unit.lineage()
        for kind, code in (("poor", "fund_poor"), ("gratitude", "fund_gratitude")):
            if code not in sources:
                continue
            fund = Fund(unit_id=unit.id, province_id=lineage["province"],
                        district_id=lineage["district"], commune_id=lineage["commune"], kind=kind,
                        name=f"{sources[code]} {unit.name}", funding_source_code=code,
                        is_active=True, created_at=datetime(2024, 12, 20, 8, 0))
            db.session.add(fund)
            funds[unit.id, code] = fund
    db.session.flush()
    return funds


def _fund_supports(province):
    return db.session.execute(
        select(Support.id, Support.commune_id, Support.funding_source_code, Support.value_vnd,
               Support.delivered_on, Support.verification, Support.recorded_by_id,
               Support.description)
        .join(FundingSource, FundingSource.code == Support.funding_source_code)
        .where(FundingSource.category == "fund", Support.value_vnd > 0,
               Support.reverses_id.is_(None), Support.province_id == province.id)
        .order_by(Support.delivered_on, Support.id)).all()


class _Ledger:
    """Entries collected in memory, then replayed in date order and inserted in bulk."""

    def __init__(self, rng, today):
        self.rng, self.today = rng, today
        self.items = []        # (date, order, kind, payload)

    def _add(self, day, payload):
        if day <= self.today:
            self.items.append((day, len(self.items), payload))

    def campaign(self, fund, campaign, first, last, total):
        left, days = total, (last - first).days
        while left > 0:
            kind = self.rng.choice(["agency", "business", "business", "individual"])
            step = {"agency": 5_000_000, "business": 10_000_000, "individual": 1_000_000}[kind]
            amount = min(left, self.rng.randrange(1, 6) * step)
            donor = self.rng.choice(DONORS[kind])
            if kind == "agency":
                donor = f"{donor} {fund.unit.name}"
            self._add(first + timedelta(days=self.rng.randint(0, days)), dict(
                fund=fund, kind="receipt", amount=amount, donor_name=donor, donor_kind=kind,
                campaign=campaign, document_number=f"PT-{self.rng.randint(100, 999)}"))
            left -= amount

    def spend(self, fund, day, amount, purpose):
        self._add(day, dict(fund=fund, kind="disbursement", amount=amount, purpose=purpose,
                            document_number=f"PC-{self.rng.randint(100, 999)}"))

    def transfer(self, source, target, day, amount):
        self._add(day, dict(fund=source, kind="transfer_out", amount=amount, target=target,
                            purpose="Phân bổ quỹ cho xã", document_number=f"CV-{day.year}-PB"))

    def disbursement(self, fund, support, state, events):
        self._add(support.delivered_on, dict(fund=fund, kind="disbursement",
                                             amount=support.value_vnd, support=support,
                                             state=state, events=events,
                                             purpose=support.description or ""))

    def write(self) -> dict:
        next_id = (db.session.scalar(select(func.max(FundEntry.id))) or 0) + 1
        next_event = (db.session.scalar(select(func.max(FundReviewEvent.id))) or 0) + 1
        balances = defaultdict(int)
        rows, events = [], []
        for day, _order, p in sorted(self.items, key=lambda i: (i[0], i[1])):
            fund, kind, amount = p["fund"], p["kind"], p["amount"]
            state = p.get("state", "posted")
            if state == "posted" and SIGN[kind] < 0 and balances[fund.id] < amount:
                if "support" not in p:
                    continue             # a spend or transfer the fund cannot afford: skipped
                state, p["events"] = "pending", []
            at = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
            support = p.get("support")
            row = dict(id=next_id, fund_id=fund.id, kind=kind, amount=amount, is_reversal=False,
                       entry_date=day, document_number=p.get("document_number", ""),
                       donor_name=p.get("donor_name", ""), donor_kind=p.get("donor_kind"),
                       campaign=p.get("campaign", ""), support_id=support.id if support else None,
                       purpose=p.get("purpose", ""), state=state, counterpart_id=None,
                       reverses_id=None, reason=None,
                       recorded_by_id=support.recorded_by_id if support else None,
                       recorded_at=at, posted_at=None)
            if state == "posted":
                decided = at + timedelta(days=self.rng.randint(2, 12)) if support else at
                row["posted_at"] = min(decided, datetime.combine(self.today, datetime.min.time()))
                balances[fund.id] += SIGN[kind] * amount
            rows.append(row)
            for i, (action, comment, user_id) in enumerate(p.get("events", [])):
                events.append(dict(id=next_event, entry_id=next_id, action=action, comment=comment,
                                   user_id=user_id, at=at + timedelta(days=3 + 2 * i)))
                next_event += 1
            next_id += 1
            if kind == "transfer_out":
                target = p["target"]
                rows[-1]["counterpart_id"] = next_id
                rows.append({**row, "id": next_id, "fund_id": target.id, "kind": "transfer_in",
                             "donor_kind": "transfer", "donor_name": fund.name,
                             "counterpart_id": row["id"]})
                balances[target.id] += amount
                next_id += 1
        if rows:
            # Transfers point at each other: insert without the links, then set them.
            links = {r["id"]: r["counterpart_id"] for r in rows if r["counterpart_id"]}
            db.session.execute(insert(FundEntry), [{**r, "counterpart_id": None} for r in rows])
            for entry_id, other in links.items():
                db.session.execute(FundEntry.__table__.update()
                                   .where(FundEntry.__table__.c.id == entry_id)
                                   .values(counterpart_id=other))
        if events:
            db.session.execute(insert(FundReviewEvent), events)
        if db.engine.dialect.name == "postgresql":
            for table in ("fund_entry", "fund_review_event"):
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
        states = defaultdict(int)
        for r in rows:
            if r["support_id"]:
                states[r["state"]] += 1
        return {"entries": len(rows), "events": len(events), **{f"disbursements_{k}": v
                                                                for k, v in states.items()}}
