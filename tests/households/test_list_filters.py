"""The household list's filters by standing, transition, years in poverty and drill-down."""
from datetime import date

import pytest
from sqlalchemy import select

from app.core import clock
from app.households.models import Household
from app.reviews import services
from app.reviews.models import Review


def decide(db, household, year, status, income):
    """A decided review for `year` whose computed status is `status` (income chosen for it)."""
    review = db.session.scalar(select(Review).where(Review.household_id == household.id,
                                                    Review.year == year))
    services.save_review(household, services.ReviewInput(
        year=year, review_type="periodic", review_date=date(year, 10, 1), income_per_capita=income,
        score_a=None, indicator_codes=["employment", "water", "latrine"] if status == "poor" else [],
        cause_codes=[], has_labour=True, policy_group=None, needs="", decision_number="1/QĐ",
        decision_date=date(year, 12, 20), decided_status=status, override_reason=None),
        None, review, review.version if review else None)


@pytest.fixture
def histories(db, world):
    """In district D1: C1 poor since 2023 (world) and still poor; C2 escaped in 2024."""
    c1 = db.session.get(Household, world.households["C1"])
    c2 = db.session.get(Household, world.households["C2"])
    decide(db, c1, 2024, "poor", 1_000_000)
    decide(db, c1, 2025, "poor", 1_000_000)
    decide(db, c2, 2024, "not_poor", 5_000_000)
    db.session.commit()
    return c1, c2


def codes(response):
    body = response.get_data(as_text=True)
    return {c for c in ("HH-C1", "HH-C2", "HH-C3", "HH-C4", "HH-C5") if f">{c}<" in body}


def test_transition_of_a_year(login_as, histories):
    client = login_as("district1")
    assert codes(client.get("/households/?transition=escaped&year=2024")) == {"HH-C2"}
    assert codes(client.get("/households/?transition=escaped&year=2023")) == set()
    assert codes(client.get("/households/?transition=newly_poor&year=2023")) == {"HH-C1", "HH-C2"}
    assert codes(client.get("/households/?transition=escaped")) == {"HH-C2"}   # latest


def test_standing_filters(login_as, histories):
    client = login_as("district1")
    assert codes(client.get("/households/?status=poor")) == {"HH-C1"}
    newly = codes(client.get("/households/?status=newly_escaped"))
    sustainable = codes(client.get("/households/?status=sustainable_exit"))
    if clock.today().year - 2024 <= 3:
        assert (newly, sustainable) == ({"HH-C2"}, set())
    else:
        assert (newly, sustainable) == (set(), {"HH-C2"})
    assert codes(client.get("/households/?status=unreviewed")) == set()


def test_poor_for_n_years_and_commune_drill_down(login_as, histories, world):
    client = login_as("district1")
    assert codes(client.get("/households/?poor_years=3&year=2025")) == {"HH-C1"}
    assert codes(client.get("/households/?poor_years=4&year=2025")) == set()
    assert codes(client.get(f"/households/?commune={world.units['C2']}")) == {"HH-C2"}
    # A commune outside the user's scope shows nothing and does not reveal its name.
    outside = client.get(f"/households/?commune={world.units['C3']}")
    assert codes(outside) == set() and "Xã Ba" not in outside.get_data(as_text=True)


@pytest.mark.parametrize("query", ["status=hack", "transition=x", "year=abc", "poor_years=-1",
                                   "commune=abc", "page=zero", "sort=drop", "hamlet=1e9"])
def test_bad_parameters_fall_back_to_defaults(login_as, query):
    response = login_as("district1").get(f"/households/?{query}")
    assert response.status_code == 200
    assert codes(response) == {"HH-C1", "HH-C2"}


def test_mass_org_cannot_see_or_filter_by_ethnicity(login_as, db, world):
    household = db.session.get(Household, world.households["C1"])
    household.is_ethnic_minority = True
    db.session.commit()
    officer = login_as("commune1")
    listing = officer.get("/households/?flag=ethnic").get_data(as_text=True)
    assert "DTTS" in listing and ">HH-C1<" in listing
    officer.form("/logout")
    client = login_as("massorg1")
    front = client.get("/households/?flag=ethnic").get_data(as_text=True)
    assert "DTTS" not in front and "Dân tộc thiểu số" not in front
    household.is_ethnic_minority = False
    db.session.commit()
    # The flag is ignored for the Front: a non-minority household still shows.
    assert ">HH-C1<" in client.get("/households/?flag=ethnic").get_data(as_text=True)


def _hamlet_options(html):
    """[(optgroup label or None, option text)] of the list page's hamlet filter."""
    import re
    select = re.search(r'<select id="hamlet" name="hamlet">(.*?)</select>', html, re.S).group(1)
    found, group = [], None
    for label, text in re.findall(
            r'<optgroup label="([^"]*)">|<option value="\d+"[^>]*>([^<]*)</option>', select):
        if label:
            group = label
        else:
            found.append((group, text))
    return found


def test_hamlet_filter_is_grouped_by_commune_above_the_commune(login_as, world):
    """A district officer's hamlets come under their commune's name (many hamlets share a
    name), and none outside the district is offered."""
    options = _hamlet_options(login_as("district1").get("/households/").get_data(as_text=True))
    assert options == [("Xã Hai", "Thôn C2"), ("Xã Một", "Thôn C1"), ("Xã Một", "Thôn Đông")]


def test_a_commune_officers_hamlets_stand_alone(login_as, world):
    options = _hamlet_options(login_as("commune1").get("/households/").get_data(as_text=True))
    assert options == [(None, "Thôn C1"), (None, "Thôn Đông")]
