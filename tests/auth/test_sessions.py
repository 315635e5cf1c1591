"""Logged-in sessions end server-side: after SESSION_IDLE_TIMEOUT without a request, and
SESSION_ABSOLUTE_LIFETIME after login however busy; no remember-me cookie outlives them.
Secure cookies and HSTS behind HTTPS; no page but static files is stored by the browser."""
from datetime import timedelta

import pytest
from flask import Flask
from flask_login.utils import encode_cookie
from sqlalchemy import select

from app.auth import sessions
from app.config import TestConfig, load_config
from app.core.users import User
from app.households.models import Household
from tests.conftest import page_text

EXPIRED = "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."


class Clock:
    def __init__(self):
        self.seconds = 1_750_000_000.0

    def advance(self, **delta):
        self.seconds += timedelta(**delta).total_seconds()


@pytest.fixture
def clock(monkeypatch):
    """sessions.now() under the test's hand."""
    frozen = Clock()
    monkeypatch.setattr(sessions, "now", lambda: frozen.seconds)
    return frozen


def refused(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_idle_session_ends_after_eight_hours(login_as, clock):
    client = login_as("commune1")
    clock.advance(hours=7, minutes=59)
    assert client.get("/households/").status_code == 200
    clock.advance(hours=8, minutes=1)
    response = client.get("/households/?q=an")
    assert refused(response)
    assert response.headers["Location"] == "/login?next=/households/?q%3Dan"
    assert EXPIRED in page_text(client.get(response.headers["Location"]))
    clock.advance(minutes=1)   # logged out for good, not only refused once
    assert refused(client.get("/households/"))


def test_a_busy_session_still_ends_twelve_hours_after_login(login_as, clock):
    client = login_as("commune1")
    for _ in range(4):
        clock.advance(hours=3)
        assert client.get("/households/").status_code == 200
    clock.advance(minutes=1)   # 12 h 1 min after login, idle one minute
    assert refused(client.get("/households/"))


def test_htmx_request_after_expiry_is_sent_to_the_login_page(login_as, clock):
    client = login_as("commune1")
    clock.advance(hours=9)
    response = client.get("/households/?q=an", headers={
        "HX-Request": "true", "HX-Target": "household-results",
        "HX-Current-URL": "http://localhost/households/?q=an"})
    # 401, not a redirect htmx would follow and swap the login page into the results table.
    assert response.status_code == 401 and response.get_data() == b""
    assert response.headers["HX-Redirect"] == "/login?next=/households/?q%3Dan"
    assert refused(client.get("/households/"))


@pytest.mark.parametrize("deactivate", [False, True])
def test_htmx_request_without_a_valid_login_gets_401_and_the_login_page(
        login_as, client, world, db, deactivate):
    if deactivate:   # a deactivated account: its session no longer loads a user
        login_as("commune1")
        user = db.session.get(User, world.users["commune1"])
        user.active = False
        db.session.commit()
    response = client.htmx_get("/households/", target="household-results")
    assert response.status_code == 401 and response.get_data() == b""
    assert response.headers["HX-Redirect"].startswith("/login")
    plain = client.get("/households/")
    assert plain.status_code == 302 and "/login?next=" in plain.headers["Location"]


def test_a_form_post_after_expiry_changes_nothing(login_as, clock, world, db):
    client = login_as("commune1")
    clock.advance(hours=9)
    response = client.form("/households/new", {"code": "SAU-HET-HAN", "head_name": "X",
                                               "hamlet_id": world.units["H1"]})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert db.session.scalar(select(Household).where(Household.code == "SAU-HET-HAN")) is None


def test_a_cookie_without_login_time_is_refused(login_as, clock):
    """Cookies issued before this rule (a 30-day-old one worked) carry no times."""
    client = login_as("commune1")
    with client.session_transaction() as session:
        del session[sessions.LOGIN_AT], session[sessions.SEEN_AT]
    assert refused(client.get("/households/"))


def test_limits_are_config_keys(app, login_as, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", timedelta(minutes=30))
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_LIFETIME", 3600)   # seconds work too
    client = login_as("commune1")
    clock.advance(minutes=29)
    assert client.get("/households/").status_code == 200
    clock.advance(minutes=31)
    assert refused(client.get("/households/"))
    client = login_as("commune1")
    for _ in range(3):
        clock.advance(minutes=20)
        assert client.get("/households/").status_code == 200
    clock.advance(minutes=1)
    assert refused(client.get("/households/"))


def test_no_remember_me_cookie_and_a_forged_one_does_not_log_in(app, login_as, db, world):
    client = login_as("commune1")
    assert client.get_cookie("remember_token") is None
    user = db.session.get(User, world.users["commune1"])
    with app.test_request_context():
        value = encode_cookie(user.get_id())   # what login_user(remember=True) would set
    stranger = app.test_client()
    stranger.set_cookie("remember_token", value)
    assert refused(stranger.get("/households/"))
    assert stranger.get_cookie("remember_token") is None   # cleared by the logout


def test_no_page_is_stored_but_static_files(app, login_as):
    assert app.test_client().get("/login").headers["Cache-Control"] == "no-store"
    admin = login_as("admin")
    assert admin.get("/admin/users").headers["Cache-Control"] == "no-store"
    static = admin.get("/static/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def _loaded(**config):
    app = Flask("probe")
    load_config(app, type("Cfg", (TestConfig,), config))
    return app.config


@pytest.mark.parametrize("config", [{"PREFERRED_URL_SCHEME": "https"},
                                    {"SESSION_COOKIE_SECURE": True}])
def test_https_means_secure_cookies(config):
    loaded = _loaded(**config)
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["REMEMBER_COOKIE_SECURE"]
    assert loaded["PREFERRED_URL_SCHEME"] == "https"
    plain = _loaded()
    assert not plain["SESSION_COOKIE_SECURE"] and not plain.get("REMEMBER_COOKIE_SECURE")


def test_hsts_only_behind_https(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
