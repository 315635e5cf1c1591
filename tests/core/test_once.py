"""One-time form tokens (core.once): every create form carries one, every create route
honours it, a token is its user's own, old tokens go, a post racing the first one answers
with its result. The support form's own journeys are in tests/supports/test_support_once.py."""
import re
import secrets
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from app.core import clock, once
from app.core.audit import AuditLog
from app.core.once import FormToken
from app.core.units import AdminUnit
from app.core.users import Role, User
from app.extensions import db as _db
from app.reviews import round_services
from app.reviews.round_models import RoundPosting
from app.supports import services as support_services
from app.supports.models import Support
from tests.conftest import PASSWORD, page_text
from tests.funds.helpers import fund
from tests.sponsors.conftest import make_assignment, make_sponsor
from tests.supports.test_support_once import token_of
from tests.supports.test_support_routes import count, form


def _hh(world):
    return world.households["C1"]


def _fund_page(action):
    def build(db, world):
        row = fund(world, "C1")
        fund(world, "D1")   # a fund of the same kind above: the transfer form shows
        db.session.commit()
        return "massorg1", f"/funds/{row.id}", f"/funds/{row.id}/{action}"
    return build


def _round_page(action):
    def build(db, world):
        round_ = round_services.create_round(db.session.get(AdminUnit, world.units["C1"]), 2025)
        db.session.commit()
        return "commune1", f"/reviews/rounds/{round_.id}", f"/reviews/rounds/{round_.id}/{action}"
    return build


def _posting_page(db, world):
    round_ = round_services.create_round(db.session.get(AdminUnit, world.units["C1"]), 2025)
    db.session.flush()
    posting = RoundPosting(round_id=round_.id, hamlet_id=world.units["H1"], place="Nhà văn hóa",
                           posted_from=date(2025, 11, 12), posted_to=date(2025, 11, 19))
    db.session.add(posting)
    db.session.commit()
    return ("commune1", f"/reviews/rounds/{round_.id}",
            f"/reviews/rounds/{round_.id}/postings/{posting.id}/complaints")


def _assign_page(db, world):
    make_sponsor(db, world, "Công ty TNHH Nông sản Bình Sơn")
    # The case file's sponsor panel (the case page loads it from the sponsors blueprint).
    return ("commune1", f"/sponsors/households/{_hh(world)}/panel",
            f"/sponsors/households/{_hh(world)}/assign")


def _portal_page(db, world):
    sponsor = make_sponsor(db, world, "Công ty TNHH Nông sản Bình Sơn")
    db.session.get(User, world.users["sponsor1"]).sponsor_id = sponsor.id
    make_assignment(db, sponsor, _hh(world))
    page = f"/sponsor/households/{_hh(world)}/supports/new"
    return "sponsor1", page, page


def _page(user, path):
    """A create form on its own page (which it posts back to, with or without an action)."""
    return lambda db, world: (user, path.format(hh=_hh(world)), path.format(hh=_hh(world)))


def _forms_posting_to(html, action):
    own_page = r'|(?![^>]*\baction=)[^>]*\bmethod="post"'
    return re.findall(r'<form\b(?:[^>]*\baction="' + re.escape(action) + '"' + own_page
                      + r')[^>]*>(.*?)</form>', html, re.S)


# endpoint → (db, world) → (who, the page showing the form, the form's action)
CREATE_FORMS = {
    "admin.user_create": _page("admin", "/admin/users/new"),
    "admin.unit_create": _page("admin", "/admin/units/new"),
    "funds.create": _page("massorg1", "/funds/new"),
    "funds.receipt_create": _fund_page("receipts"),
    "funds.spend_create": _fund_page("spends"),
    "funds.transfer_create": _fund_page("transfers"),
    "households.create": _page("commune1", "/households/new"),
    "households.member_create": _page("commune1", "/households/{hh}/members/new"),
    "reviews.create": _page("commune1", "/households/{hh}/reviews/new"),
    "exits.propose": lambda db, world: ("commune1", f"/reviews/exits/panel/{_hh(world)}",
                                        f"/reviews/exits/propose/{_hh(world)}"),
    "rounds.create": _page("commune1", "/reviews/rounds/"),
    "rounds.meeting_create": _round_page("meetings"),
    "rounds.request_create": _round_page("requests"),
    "rounds.posting_create": _round_page("postings"),
    "rounds.decision_create": _round_page("decision"),
    "rounds.complaint_create": _posting_page,
    "sponsors.create": _page("commune1", "/sponsors/new"),
    "sponsors.assign": _assign_page,
    "supports.plan_item_create": _page("commune1", "/supports/households/{hh}/plan/new"),
    "supports.support_create": _page("commune1", "/supports/households/{hh}/new"),
    "portal.support_new": _portal_page,
}
CREATE_NAME = re.compile(r"(^|_)(create|new|assign|propose|record)$")


def test_every_create_route_writes_once(app):
    """Every route named like a create is decorated with @once (list its form above too)."""
    creates = {rule.endpoint for rule in app.url_map.iter_rules()
               if "POST" in rule.methods and CREATE_NAME.search(rule.endpoint.rsplit(".", 1)[-1])}
    assert set(CREATE_FORMS) <= creates
    unguarded = [e for e in creates if not getattr(app.view_functions[e], "writes_once", False)]
    assert sorted(unguarded) == []


@pytest.mark.parametrize("endpoint", sorted(CREATE_FORMS))
def test_every_create_form_carries_a_token(login_as, world, db, endpoint):
    username, page, action = CREATE_FORMS[endpoint](db, world)
    response = login_as(username).get(page)
    assert response.status_code == 200
    forms = _forms_posting_to(response.get_data(as_text=True), action)
    assert forms, f"no form posting to {action} on {page}"
    assert all(re.search(r'<input[^>]*name="form_token"[^>]*value="[^"]{16,}"', f) for f in forms)


def _support_url(world):
    return f"/supports/households/{_hh(world)}/new"


def test_another_users_token_replays_nothing(login_as, client, world, db):
    colleague = User(username="commune1b", full_name="Commune1B", role=Role.COMMUNE,
                     unit_id=world.units["C1"])
    colleague.set_password(PASSWORD)
    db.session.add(colleague)
    db.session.commit()
    token = token_of(login_as("commune1").get(_support_url(world)))
    before = count(db)
    assert client.form(_support_url(world), form(form_token=token)).status_code == 303
    client.post("/logout", data={"csrf_token": client.csrf()})
    login_as("commune1b")
    response = client.form(_support_url(world),
                           form(form_token=token, description="Của người khác"))
    assert response.status_code == 303
    assert count(db) == before + 2   # their own post, written — not the first user's answer
    assert db.session.scalar(select(Support.recorded_by_id).where(
        Support.description == "Của người khác")) == colleague.id


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_repeat_while_the_first_is_unanswered_says_it_is_in_progress(login_as, world, db,
                                                                       monkeypatch, htmx):
    monkeypatch.setattr(once, "WAIT_STEPS", 2)
    monkeypatch.setattr(once, "WAIT_SECONDS", 0)
    client = login_as("commune1")
    token = token_of(client.get(_support_url(world)))
    db.session.add(FormToken(token=token, user_id=world.users["commune1"],
                             endpoint="supports.support_create"))   # written, not yet answered
    db.session.commit()
    before = count(db)
    response = client.form(_support_url(world), form(form_token=token), htmx=htmx)
    assert response.status_code == 409 and count(db) == before
    assert "Biểu mẫu này đang được xử lý" in page_text(response)
    if htmx:   # the form stays in place; the message goes to the page's message area
        assert response.headers["HX-Reswap"] == "none"
        assert 'id="flash-area" hx-swap-oob="true"' in response.get_data(as_text=True)


def test_old_tokens_are_pruned_on_write(login_as, world, db):
    user_id = world.users["commune1"]
    for token, days in (("old-token", 3), ("recent-token", 1)):
        db.session.add(FormToken(token=token, user_id=user_id, endpoint="supports.support_create",
                                 status=303, headers={}, body="",
                                 created_at=clock.utcnow() - timedelta(days=days)))
    db.session.commit()
    client = login_as("commune1")
    client.form(_support_url(world), form(form_token=token_of(client.get(_support_url(world)))))
    db.session.expire_all()
    assert set(db.session.scalars(select(FormToken.token).where(
        FormToken.token.in_(["old-token", "recent-token"])))) == {"recent-token"}


# Two posts at the same moment (PostgreSQL) ---------------------------------------------------

def _logged_in_client(app, username):
    client = app.test_client()
    client.get("/login")
    assert client.form("/login", {"username": username, "password": PASSWORD}).status_code == 303
    return client


def _two_posts_at_once(app, monkeypatch, url, data):
    """Both posts are held just after writing the support, for up to two seconds: only if
    nothing serialises them are both there at once."""
    meeting = threading.Barrier(2)
    original = support_services.record_support

    def record_then_wait(*args, **kwargs):
        row = original(*args, **kwargs)
        try:
            meeting.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return row

    clients = [_logged_in_client(app, "commune1") for _i in range(2)]
    monkeypatch.setattr(support_services, "record_support", record_then_wait)
    answers = [None, None]

    def post(i):
        response = clients[i].form(url, data, htmx=True)
        answers[i] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=post, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return answers


def test_two_posts_of_one_token_at_once_record_one_support(app, monkeypatch):
    """Without the claim both posts write; with it, the second waits on the first's claim,
    fails it once the first commits, and answers with the first's result."""
    with app.app_context():
        if _db.engine.dialect.name != "postgresql":
            pytest.skip("the race needs real concurrent connections and PostgreSQL's wait on "
                        "a uniqueness conflict: set TEST_DATABASE_URL=postgresql+psycopg://…")
    world, started, token = app.config["WORLD"], clock.utcnow(), secrets.token_urlsafe(16)
    description = "RACE-ONCE " + token
    try:
        answers = _two_posts_at_once(app, monkeypatch, _support_url(world),
                                     form(form_token=token, description=description))
        with app.app_context():
            rows = _db.session.scalar(select(func.count()).select_from(Support).where(
                Support.description == description))
        assert rows == 1, [a and a[0] for a in answers]
        assert answers[0][0] == 200 and answers[0] == answers[1]
    finally:   # what the test committed, logins included (Core deletes: ledgers refuse the ORM)
        with app.app_context():
            _db.session.execute(delete(Support).where(Support.description == description))
            _db.session.execute(delete(AuditLog).where(
                AuditLog.user_id == world.users["commune1"], AuditLog.at >= started))
            _db.session.execute(delete(FormToken).where(FormToken.token == token))
            _db.session.commit()
            _db.session.remove()
