"""The demo province's sponsors: nhataitro1 belongs to one and adopts five households of xa1's
commune (plus one ended assignment); the portal shows exactly those. Own database, like the
browser tests (the suite's database holds the test world)."""
import os
import tempfile

import pytest
from sqlalchemy import select

from app.core import clock
from app import create_app, demo
from app.config import TestConfig
from app.core.users import User
from app.extensions import db
from app.households.models import Household
from app.sponsors.models import Assignment, Sponsor


@pytest.fixture(scope="module")
def demo_app():
    from flask_migrate import upgrade
    with tempfile.TemporaryDirectory() as tmp:
        config = type("DemoConfig", (TestConfig,), {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(tmp, "demo.db")})
        application = create_app(config)
        with application.app_context():
            upgrade()
            demo.load(households=300, seed=1)
            db.session.remove()
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_demo_sponsor_and_assignments(demo_app):
    with demo_app.app_context():
        sponsors = db.session.scalars(select(Sponsor).order_by(Sponsor.id)).all()
        assert len(sponsors) == 4 and len({s.kind for s in sponsors}) == 4
        user = db.session.scalar(select(User).where(User.username == "nhataitro1"))
        xa1 = db.session.scalar(select(User).where(User.username == "xa1"))
        assert user.sponsor_id == sponsors[0].id
        rows = db.session.scalars(select(Assignment).where(
            Assignment.sponsor_id == user.sponsor_id)).all()
        active = [a for a in rows if a.is_active_on(clock.today())]
        ended = [a for a in rows if a.ends_on is not None]
        assert len(active) == 5 and len(ended) == 1 and ended[0].end_reason
        assert {a.commune_id for a in rows} == {xa1.unit_id}
        # Poor and near-poor households first (a small demo commune may have fewer than six).
        needy = {h.id for h in db.session.scalars(select(Household).where(
            Household.commune_id == xa1.unit_id, Household.status.in_(("poor", "near_poor"))))}
        assert len(needy & {a.household_id for a in rows}) == min(6, len(needy)) > 0
        heads = sorted(db.session.get(Household, a.household_id).head_name for a in active)
        ended_head = db.session.get(Household, ended[0].household_id).head_name

    client = demo_app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    from itsdangerous import URLSafeTimedSerializer
    token = URLSafeTimedSerializer(demo_app.secret_key, salt="wtf-csrf-token").dumps("t")
    response = client.post("/login", data={"username": "nhataitro1", "password": "demo12345",
                                           "csrf_token": token})
    assert response.status_code == 303
    page = client.get("/sponsor/").get_data(as_text=True)
    assert page.count('<section class="card" id="hh-') == 5
    for head in heads:
        assert head in page
    if ended_head not in heads:
        assert ended_head not in page
