"""Failed logins: counted per account in the database (back-off, lock, unlock), audited without
the password, the same hashing work for every name, a per-address limit read through the
configured proxies, and a form token that dies at login."""
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.core import clock
from app.config import TestConfig
from app.core.audit import AuditLog
from app.core.users import User
from app.extensions import limiter, trust_proxies
from tests.conftest import PASSWORD, page_text


def _fail(client, username="commune1", password="sai-mat-khau", **kwargs):
    return client.form("/login", {"username": username, "password": password}, **kwargs)


def _user(db, world, username="commune1") -> User:
    db.session.expire_all()
    return db.session.get(User, world.users[username])


def _set_state(db, world, username="commune1", **values):
    db.session.execute(update(User).where(User.id == world.users[username]).values(**values))
    db.session.commit()


def _audit(db, action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)
                              .order_by(AuditLog.id)).all()


def test_failed_logins_are_audited_without_the_password(app, client, db, world):
    _fail(client, "Ai-Do", password="bi-mat-khong-luu")
    _fail(client, "commune1", password="bi-mat-khong-luu")
    unknown, known = _audit(db, "login_failed")
    assert (unknown.user_id, unknown.entity_id) == (None, None)
    assert unknown.after == {"username": "Ai-Do", "reason": "unknown_user"}
    assert (known.user_id, known.entity_id) == (world.users["commune1"], world.users["commune1"])
    assert known.after["reason"] == "wrong_password"
    every_row = " ".join(str((r.before, r.after)) for r in db.session.scalars(select(AuditLog)))
    assert "bi-mat-khong-luu" not in every_row
    admin = app.test_client()
    admin.form("/login", {"username": "admin", "password": PASSWORD})
    assert "Ai-Do" in page_text(admin.get("/admin/audit?action=login_failed"))


def test_failures_back_off_then_lock_then_end_by_themselves(client, db, world, app):
    for _ in range(2):
        assert _fail(client).status_code == 422           # typos are free
    third = _fail(client)
    assert third.status_code == 429 and "hãy thử lại sau" in page_text(third)
    # While waiting, even the right password is refused (and not checked against the count).
    waiting = client.form("/login", {"username": "commune1", "password": PASSWORD})
    assert waiting.status_code == 429 and _user(db, world).failed_logins == 3
    # Others in the same office (same address) are not held up by one officer's typos.
    other = app.test_client()
    assert other.form("/login", {"username": "commune3", "password": PASSWORD}).status_code == 303

    # The wait is over; more failures up to the lock.
    lock_after = app.config["LOGIN_LOCK_AFTER"]
    _set_state(db, world, failed_logins=lock_after - 1, locked_until=None)
    locked = _fail(client)
    assert locked.status_code == 429 and "tạm khóa" in page_text(locked)
    user = _user(db, world)
    assert user.locked_until > clock.utcnow() + timedelta(minutes=25)
    (lock_row,) = _audit(db, "login_locked")
    assert lock_row.entity_id == user.id and lock_row.after["failed_logins"] == lock_after
    assert client.form("/login", {"username": "commune1",
                                  "password": PASSWORD}).status_code == 429

    # The lock ends by itself; a success clears the count.
    _set_state(db, world, locked_until=clock.utcnow() - timedelta(seconds=1))
    assert client.form("/login", {"username": "commune1", "password": PASSWORD}).status_code == 303
    user = _user(db, world)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_admin_unlocks_an_account(app, login_as, db, world):
    _set_state(db, world, failed_logins=10, locked_until=clock.utcnow() + timedelta(minutes=30))
    officer = app.test_client()
    assert officer.form("/login", {"username": "commune1", "password": PASSWORD}).status_code == 429
    admin = login_as("admin")
    assert "Tạm khóa đăng nhập đến" in page_text(admin.get("/admin/users"))
    assert admin.form(f"/admin/users/{world.users['commune1']}/unlock").status_code == 303
    (row,) = _audit(db, "unlock")
    assert (row.user_id, row.entity_id) == (world.users["admin"], world.users["commune1"])
    assert "Tạm khóa đăng nhập đến" not in page_text(admin.get("/admin/users"))
    assert officer.form("/login", {"username": "commune1", "password": PASSWORD}).status_code == 303


@pytest.fixture
def hash_count(monkeypatch):
    """How many password hashes were computed (scrypt or pbkdf2, werkzeug's two methods)."""
    calls = []
    for name in ("scrypt", "pbkdf2_hmac"):
        real = getattr(hashlib, name)
        monkeypatch.setattr(hashlib, name,
                            lambda *a, _real=real, **k: calls.append(1) or _real(*a, **k))
    return calls


def test_unknown_and_deactivated_names_cost_the_same_hashing(client, db, world, hash_count):
    _fail(client, "khong-ai-ca")            # warm-up: the dummy hash is made once
    _set_state(db, world, username="commune3", active=False)
    work = {}
    for username in ("commune1", "khong-ai-ca", "commune3"):
        hash_count.clear()
        assert _fail(client, username).status_code == 422
        work[username] = len(hash_count)
    assert work == {"commune1": 1, "khong-ai-ca": 1, "commune3": 1}


def test_form_token_from_before_login_dies_at_login(client, world):
    client.get("/login")
    before_login = client.csrf()
    assert client.form("/login", {"username": "commune1", "password": PASSWORD}).status_code == 303
    stale = client.post("/logout", data={"csrf_token": before_login})
    assert stale.status_code == 400
    assert client.get("/households/").status_code == 200     # still logged in
    assert client.form("/logout").status_code == 303         # the new token works


@pytest.fixture
def low_address_limit(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    yield
    app.config["LOGIN_RATE_LIMIT"] = TestConfig.LOGIN_RATE_LIMIT
    limiter.reset()


def test_address_limit_counts_failures_only(app, db, world, low_address_limit):
    for _ in range(4):   # a whole office logging in from one address
        fresh = app.test_client()
        assert fresh.form("/login", {"username": "commune1", "password": PASSWORD}).status_code == 303
    client = app.test_client()
    statuses = [_fail(client, "khong-ai-ca").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


@pytest.fixture
def behind_one_proxy(app):
    original = app.wsgi_app
    app.config["TRUSTED_PROXIES"] = 1
    trust_proxies(app)
    yield
    app.wsgi_app = original
    app.config["TRUSTED_PROXIES"] = TestConfig.TRUSTED_PROXIES


def test_client_address_read_through_trusted_proxy(app, client, db, world, behind_one_proxy,
                                                   low_address_limit):
    def fail_from(address):
        return _fail(client, "khong-ai-ca", headers={"X-Forwarded-For": address}).status_code

    assert [fail_from("203.0.113.7") for _ in range(4)] == [422, 422, 422, 429]
    assert fail_from("203.0.113.8") == 422      # another officer's address: its own count
    assert {r.ip for r in _audit(db, "login_failed")} == {"203.0.113.7", "203.0.113.8"}


def test_forwarded_header_ignored_without_trusted_proxy(client, db, world):
    _fail(client, "khong-ai-ca", headers={"X-Forwarded-For": "203.0.113.7"})
    (row,) = _audit(db, "login_failed")
    assert row.ip == "127.0.0.1"
