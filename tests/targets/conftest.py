"""Hand-built decided reviews for targets, progress and periodic reports.

The world's households (one per commune) are poor in 2023. `paths` adds, with decided statuses:
  C1 (district D1): A poor 2023 → poor 2024; B poor 2023 → near-poor 2024 (escaped);
      the world's household poor 2023 → not poor 2024 (escaped); E near-poor 2023 → 2024;
      F newly poor 2024; G (người có công member) poor 2023 → not poor 2024 (escaped)
      — hamlets: A, G, world household, E in H1; B, F in H1b
  C2 (district D1): the world's household poor 2023 → 2024; H near-poor 2023 → not poor 2024
  C3 (district D2): the world's household poor 2023 → not poor 2024
So at the start of 2024 (after 2023): C1 poor 4 (merit 1), near-poor 1; C2 poor 1, near-poor 1.
After 2024: C1 poor 2 (A, F), near-poor 2 (E, B), merit 0; C2 poor 1, near-poor 0."""
from datetime import date

import pytest

from app.core.units import AdminUnit
from app.core.users import User
from app.households import services as household_services
from app.households.models import Household
from app.reviews import services as review_services


def decide(db, household, year, status):
    """A decided review of `year` (inputs computed poor; other statuses carry a reason)."""
    review_services.save_review(household, review_services.ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1),
        income_per_capita=1_200_000, score_a=None, indicator_codes=["employment", "water", "latrine"],
        cause_codes=[], has_labour=True, policy_group=None, needs="",
        decision_number=f"{year}/QĐ-UBND", decision_date=date(year, 12, 1), decided_status=status,
        override_reason="Theo họp thôn"), None)


def new_household(db, world, code, hamlet, merit=False):
    household = household_services.create_household(
        {"code": code, "head_name": f"Chủ hộ {code}", "address": ""},
        db.session.get(AdminUnit, world.units[hamlet]), head={"sex": "M", "birth_year": 1970})
    if merit:
        household_services.add_member(household, {
            "full_name": f"Liệt sĩ {code}", "sex": "M", "birth_year": 1950,
            "relationship_code": "parent", "merit_category": "c", "merit_relation": "relative",
            "merit_benefit": "monthly"})
        assert household.has_merit_member
    return household


@pytest.fixture
def paths(db, world):
    hh = {c: db.session.get(Household, world.households[c]) for c in ("C1", "C2", "C3")}
    plan = {
        new_household(db, world, "P-A", "H1"): {2023: "poor", 2024: "poor"},
        new_household(db, world, "P-B", "H1b"): {2023: "poor", 2024: "near_poor"},
        hh["C1"]: {2024: "not_poor"},
        new_household(db, world, "P-E", "H1"): {2023: "near_poor", 2024: "near_poor"},
        new_household(db, world, "P-F", "H1b"): {2024: "poor"},
        new_household(db, world, "P-G", "H1", merit=True): {2023: "poor", 2024: "not_poor"},
        hh["C2"]: {2024: "poor"},
        new_household(db, world, "P-H", "H2"): {2023: "near_poor", 2024: "not_poor"},
        hh["C3"]: {2024: "not_poor"},
    }
    for household, statuses in plan.items():
        for year, status in statuses.items():
            decide(db, household, year, status)
    db.session.commit()
    return {h.code: h.id for h in plan}


@pytest.fixture
def user(db, world):
    def get(username):
        return db.session.get(User, world.users[username])
    return get


@pytest.fixture
def unit(db, world):
    def get(name):
        return db.session.get(AdminUnit, world.units[name])
    return get
