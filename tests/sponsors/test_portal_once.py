"""A sponsor's support posted twice from the portal (a phone on a slow network retries) is
logged once (core.once)."""
import pytest
from sqlalchemy import select

from app.supports.models import Support
from tests.sponsors.conftest import make_assignment
from tests.supports.test_support_once import answer, token_of


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_same_portal_support_posted_twice_is_logged_once(as_sponsor, db, world, sponsor, htmx):
    household_id = world.households["C1"]
    make_assignment(db, sponsor, household_id)
    url = f"/sponsor/households/{household_id}/supports/new"
    data = {"delivered_on": "10/03/2025", "type_code": "livestock", "description": "Bê giống",
            "quantity": "2", "unit": "con", "value_vnd": "24.000.000",
            "form_token": token_of(as_sponsor.get(url))}
    first = as_sponsor.form(url, data, htmx=htmx)
    second = as_sponsor.form(url, data, htmx=htmx)
    assert first.status_code == (200 if htmx else 303)
    assert answer(second) == answer(first)
    target = first.headers.get("HX-Redirect" if htmx else "Location")
    assert target == f"/sponsor/households/{household_id}"
    db.session.expire_all()
    assert len(db.session.scalars(select(Support).where(
        Support.household_id == household_id, Support.provider_sponsor_id == sponsor.id)
    ).all()) == 1
