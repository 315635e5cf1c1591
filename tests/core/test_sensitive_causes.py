"""Health and disability causes of poverty are sensitive data (core.sensitive): the officers who
own the case see them; the Front sees one neutral group, "Sức khỏe", on every page and partial
that shows causes (the case file's review timeline, plan panel and supports panel, the area's
plan list); sponsors see neither."""
from datetime import date

import pytest

from app.core.users import User
from app.households.models import Household
from app.reviews import services as review_services
from app.supports import services as support_services
from app.supports.models import PlanItem
from tests.conftest import page_text
from tests.sponsors.conftest import SCOPE, make_assignment, make_sponsor

DETAILS = ("Ốm đau nặng, tai nạn", "Có người khuyết tật")
NEUTRAL = "Sức khỏe"


@pytest.fixture
def case(db, world):
    """HH-C1 reviewed in 2024 with two health causes and one other; a plan item for its
    disability cause, in the hands of a sponsor that adopts the household; a support for it."""
    hh = db.session.get(Household, world.households["C1"])
    review_services.save_review(hh, review_services.ReviewInput(
        year=2024, review_type="periodic", review_date=date(2024, 10, 1),
        income_per_capita=1_200_000, score_a=None,
        indicator_codes=["employment", "water", "latrine"],
        cause_codes=["illness", "disability", "no_capital"], has_labour=True,
        policy_group="poverty_policy", needs="", decision_number="7/QĐ-UBND",
        decision_date=date(2024, 12, 20), decided_status="poor", override_reason=None), None)
    sponsor = make_sponsor(db, world, "Công ty Sức Sống")
    item = PlanItem(household_id=hh.id, need_kind="cause", need_code="disability",
                    need_label="Có người khuyết tật", action="Hỗ trợ sinh kế tại nhà",
                    responsible_sponsor_id=sponsor.id, due_on=date(2030, 6, 30),
                    **{c: getattr(hh, c) for c in SCOPE})
    db.session.add(item)
    db.session.flush()
    support_services.record_support(hh, {
        "delivered_on": date(2025, 3, 10), "type_code": "livestock", "description": "Bê giống",
        "quantity": "1", "unit": "con", "value_vnd": 10_000_000,
        "funding_source_code": "local_budget", "plan_item_id": item.id},
        db.session.get(User, world.users["commune1"]))
    make_assignment(db, sponsor, hh.id)
    db.session.get(User, world.users["sponsor1"]).sponsor_id = sponsor.id
    db.session.commit()
    return hh


def officer_pages(hh):
    """Every page and partial of an area role that shows a cause of poverty. (The case page
    shows them through its panels, which it loads from these URLs.)"""
    return [f"/households/{hh.id}/reviews/",
            f"/supports/households/{hh.id}/plan", f"/supports/households/{hh.id}/",
            "/supports/plan"]


@pytest.mark.parametrize("role", ["commune1", "district1"])
def test_case_officers_see_the_detailed_causes(role, login_as, case):
    client = login_as(role)
    for url in officer_pages(case):
        text = page_text(client.get(url))
        assert "Có người khuyết tật" in text, url
    timeline = page_text(client.get(f"/households/{case.id}/reviews/"))
    assert "Ốm đau nặng, tai nạn; Có người khuyết tật" in timeline or \
        "Có người khuyết tật; Ốm đau nặng, tai nạn" in timeline


def test_the_front_sees_a_neutral_health_group(login_as, case):
    client = login_as("massorg1")
    for url in officer_pages(case):
        response = client.get(url)
        assert response.status_code == 200, url
        text = page_text(response)
        assert not any(detail in text for detail in DETAILS), url
        assert NEUTRAL in text, url
    page = page_text(client.get(f"/households/{case.id}"))   # the case page's own parts
    assert not any(detail in page for detail in DETAILS)
    timeline = page_text(client.get(f"/households/{case.id}/reviews/"))
    # Two health causes make one group; the other causes stay as they are.
    assert timeline.count(NEUTRAL) == 1
    assert "Không có vốn sản xuất kinh doanh" in timeline


def test_sponsors_see_no_cause_of_health(login_as, case):
    client = login_as("sponsor1")
    for url in ("/sponsor/", f"/sponsor/households/{case.id}",
                f"/sponsor/households/{case.id}/supports/new", "/sponsor/history"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = page_text(response)
        assert not any(detail in text for detail in DETAILS), url
    assert "Hỗ trợ sinh kế tại nhà" in page_text(client.get(f"/sponsor/households/{case.id}"))
