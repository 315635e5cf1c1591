"""A hand-built set of reviews, members, targets and supports for the report tests (inside the
test's rolled-back transaction), with the figures each report must show written out.

World (tests/conftest.py): P1 ⊃ D1 ⊃ {C1 (H1, H1b), C2 (H2)}, P1 ⊃ D2 ⊃ C3 (H3), P1 ⊃ C4;
each commune has one household (HH-C*) decided poor in 2023 (employment, water, latrine;
poverty policy; with labour), head + spouse.

Added here, reviews of 2024 (standard 2022–2026):
  C1/H1   R-A poor: employment, water, latrine; social protection; no labour; 3 members,
                    one người có công of category g
  C1/H1b  R-B poor: nutrition, health_insurance, latrine; poverty policy; 2 members
  C1/H1   R-C near-poor: employment
  C2/H2   R-D poor: employment, housing_quality, telecom; poverty policy; 3 members, người
                    có công of categories c and g (two members)
  C3/H3   R-E poor: employment, dependants, nutrition (district D2: never in D1's reports)
Targets of 2025: C1 poor 1 household; C2 poor 50 % of a baseline of 2; H1 poor 1, near-poor 1.
Supports (2025 unless said): R-A livestock 24 M from Quỹ Vì người nghèo, reversed; R-A
livestock 10 M local budget (pending); R-D house repair 30 M fund; R-D 5 M rejected; R-E
99 M (D2); R-B 1 M on 31/12/2024 (outside the period)."""
from dataclasses import dataclass
from datetime import date

import pytest

from app.core.units import AdminUnit
from app.households import services as household_services
from app.households.models import Household
from app.reviews import services as review_services
from app.supports.models import Support
from app.targets.models import Target


def review(household, year, status, indicators, policy="poverty_policy", has_labour=True):
    income = 1_200_000
    review_services.save_review(household, review_services.ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1),
        income_per_capita=income, score_a=None, indicator_codes=indicators, cause_codes=[],
        has_labour=has_labour, policy_group=policy, needs="",
        decision_number=f"{year}/QĐ-UBND", decision_date=date(year, 12, 1),
        decided_status=status, override_reason="Theo họp thôn"), None)


def household(db, world, code, hamlet, head_name=None, members=()):
    hh = household_services.create_household(
        {"code": code, "head_name": head_name or f"Chủ hộ {code}", "address": "Xóm 1"},
        db.session.get(AdminUnit, world.units[hamlet]),
        head={"birth_year": 1960, "sex": "M", "ethnicity_code": "2", "id_number": None})
    for i, member in enumerate(members):
        household_services.add_member(hh, {"full_name": f"Thành viên {code} {i}", "sex": "F",
                                           "birth_year": 1990, "relationship_code": "child",
                                           **member})
    return hh


def target(db, world, unit, year, kind, count=None, percent_bp=None, baseline=None):
    place = db.session.get(AdminUnit, world.units[unit])
    lineage = place.lineage()
    row = Target(unit_id=place.id, province_id=lineage["province"], district_id=lineage["district"],
                 commune_id=lineage["commune"], hamlet_id=lineage["hamlet"], year=year, kind=kind,
                 count=count, percent_bp=percent_bp, baseline=baseline)
    db.session.add(row)
    return row


def support(db, hh, day, type_code, source, value, verification="verified", reverses=None):
    row = Support(household_id=hh.id, delivered_on=day, type_code=type_code, value_vnd=value,
                  funding_source_code=source, verification=verification,
                  reverses_id=reverses.id if reverses else None,
                  reversal_reason="Nhập nhầm" if reverses else None,
                  **{c: getattr(hh, c) for c in ("province_id", "district_id", "commune_id",
                                                 "hamlet_id")})
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class Data:
    households: dict


@pytest.fixture
def data(db, world) -> Data:
    hh = {
        "A": household(db, world, "R-A", "H1", members=[{"merit_category": "g",
                                                         "merit_relation": "self"}, {}]),
        "B": household(db, world, "R-B", "H1b", members=[{}]),
        "C": household(db, world, "R-C", "H1"),
        "D": household(db, world, "R-D", "H2", members=[
            {"merit_category": "c", "merit_relation": "relative"},
            {"merit_category": "g", "merit_relation": "self"}]),
        "E": household(db, world, "R-E", "H3", members=[{"merit_category": "g"}]),
    }
    review(hh["A"], 2024, "poor", ["employment", "water", "latrine"], "social_protection", False)
    review(hh["B"], 2024, "poor", ["nutrition", "health_insurance", "latrine"])
    review(hh["C"], 2024, "near_poor", ["employment"], None)
    review(hh["D"], 2024, "poor", ["employment", "housing_quality", "telecom"])
    review(hh["E"], 2024, "poor", ["employment", "dependants", "nutrition"])
    target(db, world, "C1", 2025, "poor", count=1)
    target(db, world, "C2", 2025, "poor", percent_bp=5000, baseline=2)
    target(db, world, "H1", 2025, "poor", count=1)
    target(db, world, "H1", 2025, "near_poor", count=1)
    given = support(db, hh["A"], date(2025, 3, 10), "livestock", "fund_poor", 24_000_000)
    support(db, hh["A"], date(2025, 3, 10), "livestock", "fund_poor", -24_000_000, reverses=given)
    support(db, hh["A"], date(2025, 4, 1), "livestock", "local_budget", 10_000_000, "pending")
    support(db, hh["D"], date(2025, 5, 5), "house_repair", "fund_poor", 30_000_000)
    support(db, hh["D"], date(2025, 5, 6), "house_repair", "fund_poor", 5_000_000, "rejected")
    support(db, hh["E"], date(2025, 5, 5), "house_repair", "fund_poor", 99_000_000)
    support(db, hh["B"], date(2024, 12, 31), "cash", "local_budget", 1_000_000)
    db.session.commit()
    households = {k: v.id for k, v in hh.items()}
    households.update({c: world.households[c] for c in ("C1", "C2", "C3", "C4")})
    return Data(households)


def rows_of(table) -> dict[str, list]:
    """Unit name → the row's values after TT and name."""
    return {row[1]: row[2:] for row in table.rows}


def name(db, world, unit) -> str:
    return db.session.get(AdminUnit, world.units[unit]).name


def load(db, household_id) -> Household:
    return db.session.get(Household, household_id)


@pytest.fixture
def request_context(app, db):
    """Builders called directly translate their headings (Babel needs a request)."""
    with app.test_request_context():
        yield
