"""Redirect targets from the request (`next`): one rule (app/core/urls.py) behind every route
that follows one — login, the language switch, the funds decisions. A tricky value goes to the
default page; a same-site path is kept; nothing answers 500."""
from urllib.parse import quote, urljoin, urlsplit

import pytest
from werkzeug.security import generate_password_hash

from app.core.urls import safe_next
from app.core.users import User
from tests.conftest import PASSWORD
from tests.funds import helpers as h

SITE = "https://thoatngheo.example/funds/review"

# Each of these means another site to some browser, or cannot be a header: the default.
HOSTILE = [
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example",
    "/\\/evil.example", "\\\\evil.example", "\\/evil.example", "/\t/evil.example",
    "/\n/evil.example", "\t//evil.example", " //evil.example", "https://evil.example",
    "http:evil.example", "https:/evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "/%2F%2Fevil.example", "/%2f/evil.example",
    "/%5Cevil.example", "/%5C%5Cevil.example", "/.//evil.example", "/./%2F/evil.example",
    "/%2e%2e//evil.example", "/\r\nLocation: https://evil.example", "/x\r\nSet-Cookie: a=b",
    "/x\x00", "/\x7f/evil.example", "evil.example", "households", "?next=//evil", "#//evil",
    "", "/" + "a" * 5000,
]
# Paths of this site: kept, percent-encoded where a header needs it.
KEPT = {
    "/households/": "/households/",
    "/households/?q=nguyen&page=2": "/households/?q=nguyen&page=2",
    "/households/?q=Nguyễn": "/households/?q=Nguy%E1%BB%85n",
    "/households/?q=%2F%2Fevil": "/households/?q=%2F%2Fevil",   # a query may hold anything
    "/ｅｖｉｌ": "/%EF%BD%85%EF%BD%96%EF%BD%89%EF%BD%8C",
    "/／／evil.example": "/%EF%BC%8F%EF%BC%8Fevil.example",     # fullwidth "/" is a letter
    "/\u2028/evil.example": "/%E2%80%A8/evil.example",
}


def same_site(location: str) -> bool:
    """Where a forgiving browser would go: tabs and newlines dropped, "\\" read as "/"."""
    if not location.isascii() or any(ord(c) < 0x20 or ord(c) == 0x7F for c in location):
        return False
    browser = location.replace("\\", "/")
    return urlsplit(urljoin(SITE, browser)).netloc == "thoatngheo.example"


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_targets_give_the_default(app, value):
    with app.test_request_context():
        assert safe_next(value, "/funds/") == "/funds/"
        assert safe_next(value) == "/"
    assert safe_next(None, "/x") == "/x"


@pytest.mark.parametrize("value,expected", KEPT.items())
def test_same_site_paths_are_kept(app, value, expected):
    with app.test_request_context():
        result = safe_next(value, "/funds/")
    assert result == expected and same_site(result)


@pytest.fixture
def open_disbursement(world, db):
    fund = h.fund(world, "C1")
    h.receipt(fund, 10_000_000)
    entry = h.disbursement(h.support(world, value=1_000_000))
    db.session.commit()
    return entry


def _login(app, value):
    client = app.test_client()   # a fresh browser: a logged-in one is sent home, not to next
    return client.form("/login?next=" + quote(value, safe=""),
                       {"username": "commune1", "password": PASSWORD}), "/"


def _language(app, value):
    return app.test_client().form("/language", {"lang": "vi", "next": value}), "/"


@pytest.fixture
def routes(app, login_as, open_disbursement, world, db):
    front = login_as("massorg1")
    # Dozens of logins: a cheap hash (the slow one is deliberate, and not under test here).
    db.session.get(User, world.users["commune1"]).password_hash = generate_password_hash(
        PASSWORD, "pbkdf2:sha256:1")
    db.session.commit()

    def funds(_app, value):
        return (front.form(f"/funds/entries/{open_disbursement.id}/comment",
                           {"comment": "Đã xem", "next": value}),
                f"/funds/entries/{open_disbursement.id}")
    return {"login": _login, "language": _language, "funds": funds}


@pytest.mark.parametrize("route", ["login", "language", "funds"])
def test_every_redirecting_route_follows_the_one_rule(app, routes, route):
    follow = routes[route]
    for value in HOSTILE:
        response, default = follow(app, value)
        assert response.status_code == 303, (route, value)
        assert response.headers["Location"] == default, (route, value)
    for value, expected in KEPT.items():
        response, _default = follow(app, value)
        assert response.status_code == 303, (route, value)
        location = response.headers["Location"]
        assert location == expected and same_site(location), (route, value)
