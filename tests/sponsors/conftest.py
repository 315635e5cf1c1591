"""Sponsor fixtures: sponsors of the world's province, assignments made in the test's
transaction, and sponsor1 linked to a sponsor (in the world it belongs to none)."""
from datetime import timedelta

import pytest

from app.core import clock
from app.core.text import fold
from app.core.units import AdminUnit
from app.core.users import User
from app.households.models import Household
from app.sponsors.models import Assignment, Sponsor

SCOPE = ("province_id", "district_id", "commune_id", "hamlet_id")
TODAY = clock.today()


def make_sponsor(db, world, name, unit="C1", kind="business", **extra):
    home = db.session.get(AdminUnit, world.units[unit])
    sponsor = Sponsor(name=name, name_folded=fold(name), kind=kind, home_unit_id=home.id,
                      province_id=home.ancestor_ids[0], **extra)
    db.session.add(sponsor)
    db.session.commit()
    return sponsor


def make_assignment(db, sponsor, household_id, starts_on=None, ends_on=None,
                    commitment="200.000đ/tháng và giống lúa", end_reason=None):
    household = db.session.get(Household, household_id)
    assignment = Assignment(sponsor_id=sponsor.id, household_id=household_id,
                            starts_on=starts_on or TODAY - timedelta(days=30), ends_on=ends_on,
                            commitment=commitment,
                            end_reason=end_reason or ("Hết hạn" if ends_on else None),
                            **{c: getattr(household, c) for c in SCOPE})
    db.session.add(assignment)
    db.session.commit()
    return assignment


@pytest.fixture
def sponsor(db, world):
    return make_sponsor(db, world, "Công ty TNHH Nông sản Bình Sơn", phone="0901 234 567")


@pytest.fixture
def other_sponsor(db, world):
    return make_sponsor(db, world, "Hội Phụ nữ xã Hai", unit="C2", kind="mass_org")


@pytest.fixture
def switch_to(client, login_as):
    """Log out, then in as someone else (the login page redirects a logged-in user)."""
    def switch(username):
        client.post("/logout", data={"csrf_token": client.csrf()})
        return login_as(username)
    return switch


@pytest.fixture
def as_sponsor(db, world, sponsor, login_as):
    """sponsor1 linked to `sponsor`, logged in."""
    user = db.session.get(User, world.users["sponsor1"])
    user.sponsor_id = sponsor.id
    db.session.commit()
    return login_as("sponsor1")
