"""Demo support plans and supports delivered (deterministic: the rng is passed in, dates are
fixed, nothing depends on the day it runs).

Every poor or near-poor household gets a plan of two to four items drafted from its latest
review's deprivations and causes with the seeded suggested actions — some done, some dropped,
some open past their due date (overdue). About two in three get supports delivered in
2025–2026 from mixed sources (the funds, VBSP credit with programme and term, budgets,
sponsors, the community); most are verified, recent ones mostly pending, a few rejected, and
one entry of xa1's commune is corrected by a reversal. Households adopted by a sponsor get
supports and plan items from that sponsor, so the sponsor portal has them too.
Bulk inserts with explicit ids, like the households and reviews."""
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select, text

from app.core import clock
from app.core.lookups import Lookup
from app.core.users import Role, User
from app.extensions import db
from app.households.models import Household
from app.reviews.models import Indicator, Review, ReviewCause, review_deprivation
from app.sponsors.models import Assignment
from app.supports.models import PlanItem, SuggestedAction, Support

ANCHOR = date(2026, 10, 31)          # "now" for the demo's statuses; supports end here
FIRST_DAY = date(2025, 1, 1)
IN_LISTS = ("poor", "near_poor")
SCOPE = ("province_id", "district_id", "commune_id", "hamlet_id")
RESPONSIBLE = ["Cán bộ LĐTBXH xã", "Hội Phụ nữ xã", "Hội Nông dân xã", "Đoàn Thanh niên xã",
               "Trưởng thôn", "Hội Cựu chiến binh xã"]
PROVIDERS = ["UBND xã", "Hội Nông dân xã", "Hội Phụ nữ xã", "Ủy ban MTTQ xã",
             "Trạm Y tế xã", "Trường Tiểu học xã", "Phòng Giao dịch NHCSXH"]
DROP_REASONS = ["Hộ không có nhu cầu", "Hộ chuyển đi nơi khác", "Đã được hỗ trợ từ nguồn khác"]
REJECT_REASONS = ["Hộ xác nhận chưa nhận được", "Trùng với khoản đã ghi", "Giá trị không khớp biên nhận"]
# type → [(funding source, weight)], value range in VND, unit/quantity
TYPES = {
    "health_insurance_card": ([("ntp_central", 6), ("local_budget", 4)], (800_000, 1_200_000), "thẻ", (1, 5)),
    "hospital_fees": ([("fund_poor", 5), ("local_budget", 3), ("donations", 2)], (1_000_000, 8_000_000), None, None),
    "tuition": ([("ntp_central", 6), ("local_budget", 4)], (500_000, 3_000_000), None, None),
    "school_supplies": ([("donations", 5), ("sponsor", 5)], (300_000, 1_500_000), "bộ", (1, 3)),
    "vocational_training": ([("ntp_central", 8), ("local_budget", 2)], (2_000_000, 6_000_000), "khóa", (1, 1)),
    "vbsp_loan": ([("vbsp_credit", 1)], (20_000_000, 100_000_000), None, None),
    "house_build": ([("fund_poor", 5), ("ntp_central", 3), ("fund_gratitude", 2)], (40_000_000, 60_000_000), "căn", (1, 1)),
    "house_repair": ([("fund_poor", 4), ("fund_gratitude", 3), ("community", 3)], (10_000_000, 30_000_000), None, None),
    "clean_water": ([("ntp_central", 5), ("oda", 2), ("sponsor", 3)], (3_000_000, 10_000_000), "bể", (1, 1)),
    "latrine": ([("ntp_central", 5), ("community", 3), ("sponsor", 2)], (4_000_000, 12_000_000), None, None),
    "info_device": ([("ntp_central", 4), ("sponsor", 6)], (1_500_000, 6_000_000), "chiếc", (1, 1)),
    "livestock": ([("ntp_central", 5), ("sponsor", 3), ("fund_poor", 2)], (8_000_000, 24_000_000), "con", (1, 3)),
    "seedlings": ([("ntp_central", 5), ("sponsor", 3), ("local_budget", 2)], (2_000_000, 10_000_000), "kg", (10, 200)),
    "extension": ([("ntp_central", 7), ("local_budget", 3)], (200_000, 800_000), "buổi", (1, 4)),
    "cash": ([("sponsor", 6), ("fund_poor", 2), ("donations", 2)], (500_000, 3_000_000), None, None),
    "tet_gift": ([("fund_poor", 4), ("fund_gratitude", 3), ("sponsor", 3)], (300_000, 1_000_000), "suất", (1, 1)),
    "labour_days": ([("community", 1)], (1_000_000, 5_000_000), "ngày công", (5, 40)),
}
CREDIT = [("poor", 6), ("near_poor", 3), ("jobs", 2), ("water_sanitation", 2), ("housing", 1)]
DESCRIPTIONS = {"livestock": "Bê giống", "seedlings": "Giống lúa và phân bón", "tet_gift": "Quà Tết",
                "house_build": "Nhà Đại đoàn kết", "clean_water": "Bể chứa nước sinh hoạt",
                "vbsp_loan": "Vay vốn ưu đãi phát triển sản xuất", "cash": "Trợ cấp hằng tháng"}


def _pick(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _day(rng, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _round(value: int) -> int:
    return int(round(value, -5)) if value >= 1_000_000 else int(round(value, -4))


class Ledger:
    def __init__(self, rng, batch: int = 5000):
        self.rng, self.batch = rng, batch
        self.plan_id = (db.session.scalar(select(func.max(PlanItem.id))) or 0) + 1
        self.support_id = (db.session.scalar(select(func.max(Support.id))) or 0) + 1
        self.plans, self.supports = [], []
        # The commune's first account is its officer (plans, verification); a second one, when
        # there is one, records the deliveries (four eyes: the recorder cannot verify).
        self.officers, self.clerks = {}, {}
        for unit_id, user_id in db.session.execute(
                select(User.unit_id, User.id).where(User.role == Role.COMMUNE).order_by(User.id)):
            (self.clerks if unit_id in self.officers else self.officers).setdefault(unit_id, user_id)
        self.suggested = defaultdict(list)
        for kind, code, action, type_code in db.session.execute(
                select(SuggestedAction.need_kind, SuggestedAction.need_code, SuggestedAction.action,
                       SuggestedAction.support_type_code).where(SuggestedAction.is_active.is_(True))
                .order_by(SuggestedAction.sort_order)):
            self.suggested[(kind, code)].append((action, type_code))
        self.causes = dict(db.session.execute(select(Lookup.code, Lookup.label).where(
            Lookup.kind == "poverty_cause")).all())
        # Households adopted today (the sponsor demo dates its assignments from today).
        self.sponsor_of, self.adopted_on = {}, {}
        for hid, sponsor_id, starts_on in db.session.execute(
                select(Assignment.household_id, Assignment.sponsor_id, Assignment.starts_on)
                .where(Assignment.active_on(clock.today())).order_by(Assignment.id)):
            self.sponsor_of.setdefault(hid, sponsor_id)
            self.adopted_on.setdefault(hid, starts_on)

    # Plans ------------------------------------------------------------------------------------

    def plan(self, hh, needs) -> list[dict]:
        rng, items = self.rng, []
        candidates = [n for n in needs if self.suggested.get((n[0], n[1]))]
        for kind, code, label in rng.sample(candidates, min(len(candidates), rng.randint(2, 4))):
            action, type_code = rng.choice(self.suggested[(kind, code)])
            due = _day(rng, date(2025, 3, 1), date(2026, 12, 31))
            if due < ANCHOR:
                status = _pick(rng, [("done", 55), ("in_progress", 18), ("planned", 15), ("dropped", 12)])
            else:
                status = _pick(rng, [("planned", 50), ("in_progress", 40), ("done", 10)])
            sponsor = self.sponsor_of.get(hh["id"]) if rng.random() < 0.6 else None
            created = datetime.combine(min(due, ANCHOR) - timedelta(days=rng.randint(60, 200)),
                                       datetime.min.time())
            row = {"id": self.plan_id, "household_id": hh["id"], "need_kind": kind,
                   "need_code": code, "need_label": label[:200], "action": action,
                   "responsible_name": "" if sponsor else rng.choice(RESPONSIBLE),
                   "responsible_sponsor_id": sponsor, "due_on": due, "status": status,
                   "dropped_reason": rng.choice(DROP_REASONS) if status == "dropped" else None,
                   "version": 1, "created_by_id": self.officers.get(hh["commune_id"]),
                   "created_at": created, "updated_at": created,
                   **{c: hh[c] for c in SCOPE}}
            self.plans.append(row)
            items.append((row, type_code))
            self.plan_id += 1
        return items

    # Supports ---------------------------------------------------------------------------------

    def support(self, hh, type_code, plan_item=None, sponsored=False):
        rng = self.rng
        sources, (low, high), unit, qty = TYPES.get(type_code, TYPES["cash"])
        source = "sponsor" if sponsored else _pick(rng, sources)
        sponsor_id = self.sponsor_of.get(hh["id"]) if source == "sponsor" else None
        if source == "sponsor" and sponsor_id is None:
            source = "donations"
        delivered = _day(rng, FIRST_DAY, ANCHOR)
        if sponsor_id is not None:   # delivered while the sponsor had adopted the household
            start = max(self.adopted_on[hh["id"]], FIRST_DAY)
            delivered = _day(rng, start, min(max(start, ANCHOR), clock.today()))
        elif plan_item is not None and plan_item["status"] == "done":
            delivered = min(plan_item["due_on"], ANCHOR) - timedelta(days=rng.randint(0, 45))
        credit = term = None
        if source == "vbsp_credit":
            credit = _pick(rng, CREDIT) if hh["status"] == "poor" else rng.choice(["near_poor", "jobs"])
            term = rng.choice([36, 60, 60, 120])
        value = _round(rng.randint(low, high))
        quantity = str(rng.randint(*qty)) if qty else None
        age = (ANCHOR - delivered).days
        verification = (_pick(rng, [("verified", 85), ("rejected", 4), ("pending", 11)]) if age > 45
                        else _pick(rng, [("verified", 30), ("pending", 70)]))
        officer = self.officers.get(hh["commune_id"])
        recorded = datetime.combine(delivered + timedelta(days=rng.randint(0, 10)),
                                    datetime.min.time())
        programme = None
        if source in ("ntp_central", "local_budget"):
            programme = (rng.choice(["ntp_2021_p2", "ntp_2021_p3", "ntp_2021_p4", "ntp_2021_p5",
                                     "ntp_2021_p6"]) if delivered.year <= 2025
                         else rng.choice(["ntp_2026_poverty", "ntp_2026_livelihood"]))
        self.supports.append({
            "id": self.support_id, "household_id": hh["id"], "delivered_on": delivered,
            "type_code": type_code, "description": DESCRIPTIONS.get(type_code, ""),
            "quantity": quantity, "unit": unit if quantity else None, "value_vnd": value,
            "funding_source_code": source, "credit_programme_code": credit,
            "credit_term_months": term, "programme_code": programme,
            "provider_sponsor_id": sponsor_id,
            "provider_name": "" if sponsor_id else rng.choice(PROVIDERS),
            "plan_item_id": plan_item["id"] if plan_item else None,
            "recorded_by_id": self.clerks.get(hh["commune_id"], officer), "recorded_at": recorded, "verification": verification,
            "verified_by_id": officer if verification != "pending" else None,
            "verified_at": recorded + timedelta(days=rng.randint(1, 20)) if verification != "pending" else None,
            "rejection_reason": rng.choice(REJECT_REASONS) if verification == "rejected" else None,
            "reverses_id": None, "reversal_reason": None, **{c: hh[c] for c in SCOPE}})
        self.support_id += 1

    def reverse_one(self, commune_id) -> bool:
        """One verified entry of `commune_id` (not yet flushed) corrected by a reversal."""
        original = next((s for s in self.supports if s["commune_id"] == commune_id
                         and s["verification"] == "verified" and s["value_vnd"] > 0), None)
        if original is None:
            return False
        at = original["verified_at"] + timedelta(days=30)
        self.supports.append({**original, "id": self.support_id, "value_vnd": -original["value_vnd"],
                              "recorded_at": at, "verified_at": at, "reverses_id": original["id"],
                              "reversal_reason": "Nhập trùng với khoản đã ghi trước đó",
                              "rejection_reason": None})
        self.support_id += 1
        return True

    def flush(self):
        if self.plans:
            db.session.execute(insert(PlanItem), self.plans)
        if self.supports:
            db.session.execute(insert(Support), self.supports)
        self.plans, self.supports = [], []


def _latest_needs(households: list[dict]) -> dict[int, list[tuple]]:
    """household id → [(kind, code, label)] of its latest review: deprived indicators, causes."""
    latest = (select(Review.household_id, func.max(Review.year).label("year"))
              .join(Household, Household.id == Review.household_id)
              .where(Household.status.in_(IN_LISTS), Household.deleted_at.is_(None))
              .group_by(Review.household_id).subquery())
    review = (select(Review.id, Review.household_id)
              .join(latest, (latest.c.household_id == Review.household_id) & (latest.c.year == Review.year))
              .subquery())
    needs = defaultdict(list)
    for hid, code, number, label in db.session.execute(
            select(review.c.household_id, Indicator.code, Indicator.number, Indicator.label)
            .join(review_deprivation, review_deprivation.c.review_id == review.c.id)
            .join(Indicator, Indicator.id == review_deprivation.c.indicator_id)
            .order_by(review.c.household_id, Indicator.number)):
        needs[hid].append(("indicator", code, f"{number}. {label}"))
    cause_labels = dict(db.session.execute(select(Lookup.code, Lookup.label).where(
        Lookup.kind == "poverty_cause")).all())
    for hid, code in db.session.execute(
            select(review.c.household_id, ReviewCause.cause_code)
            .join(ReviewCause, ReviewCause.review_id == review.c.id)
            .order_by(review.c.household_id, ReviewCause.cause_code)):
        needs[hid].append(("cause", code, cause_labels.get(code, code)))
    return needs


def build(rng, first_commune_id: int | None = None, batch: int = 5000):
    """Plans and supports for the demo's poor and near-poor households. `first_commune_id`:
    xa1's commune, where one entry is reversed."""
    ledger = Ledger(rng, batch)
    households = [dict(r._mapping) for r in db.session.execute(
        select(Household.id, Household.status, *(getattr(Household, c) for c in SCOPE))
        .where(Household.status.in_(IN_LISTS), Household.deleted_at.is_(None))
        .order_by(Household.id))]
    needs = _latest_needs(households)
    reversed_one = first_commune_id is None
    for hh in households:
        items = ledger.plan(hh, needs.get(hh["id"], []))
        sponsored = hh["id"] in ledger.sponsor_of
        if sponsored or rng.random() < 0.65:
            for row, type_code in items:
                if row["status"] == "done" or (row["status"] == "in_progress" and rng.random() < 0.5):
                    ledger.support(hh, type_code or "cash", row)
            for _ in range(rng.randint(0, 2)):
                ledger.support(hh, rng.choice(list(TYPES)))
            if sponsored:
                ledger.support(hh, rng.choice(["livestock", "seedlings", "cash", "tet_gift"]),
                               sponsored=True)
        if not reversed_one and hh["commune_id"] == first_commune_id:
            reversed_one = ledger.reverse_one(first_commune_id)
        if len(ledger.supports) + len(ledger.plans) >= batch:
            ledger.flush()
    ledger.flush()
    if db.engine.dialect.name == "postgresql":
        for table in ("plan_item", "support"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
