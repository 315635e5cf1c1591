"""The home page on the test world: the cards that the demo province leaves at zero (review
rounds, exit proposals, the Front's queries, locked accounts) with rows behind them, each
followed to its list; and each role sees its own area's numbers only."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.users import User
from app.funds import services as fund_services
from app.households.models import Household
from app.reviews.models import ExitProposal, ReviewRound
from tests.conftest import PASSWORD
from tests.funds import helpers as h
from tests.main.helpers import cards, check_cards

SCOPE = ("province_id", "district_id", "commune_id", "hamlet_id")


@pytest.fixture
def login_as(app, db, world):
    """A fresh client per call, logged in through the real form (several users per test)."""
    def login(username):
        client = app.test_client()
        client.get("/login")
        assert client.form("/login", {"username": username,
                                      "password": PASSWORD}).status_code == 303, username
        return client
    return login


def _round(db, world, commune, **values):
    household = db.session.get(Household, world.households[commune])
    round_ = ReviewRound(year=clock.today().year, **{c: getattr(household, c) for c in SCOPE[:3]},
                         **values)
    db.session.add(round_)
    return round_


def _proposal(db, world, commune):
    household = db.session.get(Household, world.households[commune])
    db.session.add(ExitProposal(household_id=household.id, year=clock.today().year,
                                from_status="poor", to_status="near_poor", evidence="Có việc làm",
                                **{c: getattr(household, c) for c in SCOPE}))


def test_every_role_lands_on_its_home(login_as):
    for username in ("admin", "commune1", "district1", "massorg1", "sponsor1", "nounit"):
        client = login_as(username)
        response = client.get("/")
        assert response.status_code == 200
        assert "Việc cần làm hôm nay" in response.get_data(as_text=True)


def test_commune_round_cards(db, world, login_as):
    """This year's round: the households reviewed and those still to review."""
    client = login_as("commune1")
    assert set(cards(client.get("/"))) >= {"round_missing", "plan_overdue", "supports_pending"}
    _round(db, world, "C1")
    db.session.commit()
    found = check_cards(client)
    assert found["round_progress"]["count"] == 0 and found["round_pending"]["count"] == 1
    assert "round_missing" not in found


def test_district_sees_its_own_area(db, world, login_as):
    _proposal(db, world, "C1")
    _proposal(db, world, "C3")                                   # another district
    _round(db, world, "C2", ends_on=clock.today() - timedelta(days=1))   # over, undecided
    _round(db, world, "C3", ends_on=clock.today() - timedelta(days=1))
    db.session.commit()
    district = check_cards(login_as("district1"))
    assert district["exits_proposed"]["count"] == 1
    assert district["rounds_late"]["count"] >= 1
    province = check_cards(login_as("province1"))
    assert province["exits_proposed"]["count"] == 2
    assert province["rounds_late"]["count"] == district["rounds_late"]["count"] + 1


def test_front_queries_split_between_commune_and_front(db, world, login_as):
    """A queried disbursement waits for the commune until a commune officer answers; then it
    waits for the Front. Each side's card counts its own."""
    h.fund(world, "C1")
    front, officer = h.user(world, "massorg1"), h.user(world, "commune1")
    waiting, answered, pending = (h.support(world, value=v) for v in (1_000_000, 2_000_000, 3_000_000))
    for s in (waiting, answered):
        fund_services.query_disbursement(h.disbursement(s), "Bổ sung biên nhận", front)
    fund_services.add_comment(h.disbursement(answered), "Đã bổ sung biên nhận", officer)
    fund_services.add_comment(h.disbursement(waiting), "Nhắc lại: cần biên nhận", front)
    db.session.commit()

    commune = check_cards(login_as("commune1"))
    assert commune["fund_queries"]["count"] == 1
    client = login_as("massorg1")
    front_cards = check_cards(client)
    assert front_cards["fund_answered"]["count"] == 1 and front_cards["fund_pending"]["count"] == 1
    assert any(key.startswith("disclosure_") for key in front_cards)
    page = client.get(front_cards["fund_answered"]["url"]).get_data(as_text=True)
    assert f'id="entry-{h.disbursement(answered).id}"' in page
    assert f'id="entry-{h.disbursement(waiting).id}"' not in page


def test_commune_of_another_district_sees_none_of_it(db, world, login_as):
    h.fund(world, "C1")
    h.support(world)                                   # pending in C1
    db.session.commit()
    found = check_cards(login_as("commune3"))
    assert found["supports_pending"]["count"] == 0 and found["fund_queries"]["count"] == 0


def test_admin_cards(db, world, login_as):
    locked = db.session.get(User, world.users["commune3"])
    locked.failed_logins, locked.locked_until = 10, clock.utcnow() + timedelta(minutes=30)
    db.session.commit()
    found = check_cards(login_as("admin"))
    assert found["users_locked"]["count"] == 1
    nounit = db.session.scalars(select(User.username).where(User.unit_id.is_(None),
                                                             User.role != "admin")).all()
    assert found["users_nounit"]["count"] == len([n for n in nounit if n == "nounit"]) == 1
    assert found["users_locked"]["severity"] == "warn"


def test_sponsor_without_a_sponsor_sees_the_notice(login_as):
    text = login_as("sponsor1").get("/").get_data(as_text=True)
    assert "chưa được gắn với nhà tài trợ" in text
