"""Login, logout, sessions that end server-side, CSRF, rate limit, password change."""
from app.config import TestConfig
from app.core.users import User
from app.extensions import limiter
from tests.conftest import PASSWORD


def test_login_page_and_wrong_password(client):
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)
    response = client.form("/login", {"username": "commune1", "password": "sai-mat-khau"})
    assert response.status_code == 422
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)
    assert client.get("/households/").status_code == 302


def test_passwords_are_hashed_strongly(db, world):
    user = db.session.get(User, world.users["commune1"])
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_login_refuses_offsite_next(client):
    response = client.form("/login?next=//evil.example/x",
                           {"username": "commune1", "password": PASSWORD})
    assert response.status_code == 303 and "evil" not in response.headers["Location"]


def test_post_without_csrf_is_refused(login_as, world, db):
    client = login_as("commune1")
    response = client.post("/households/new", data={"code": "NOCSRF", "head_name": "X",
                                                   "hamlet_id": world.units["H1"]})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    htmx = client.post(f"/households/{world.households['C1']}/members/new",
                       data={"full_name": "X"}, headers={"HX-Request": "true",
                                                         "X-CSRFToken": "forged"})
    assert htmx.status_code == 400


def test_logout_requires_post_with_csrf(login_as):
    client = login_as("commune1")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/households/").status_code == 200


def test_copied_cookie_stops_working_after_logout(app, login_as):
    client = login_as("commune1")
    cookie = client.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/households/").status_code == 200
    client.form("/logout")
    response = thief.get("/households/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deactivation_ends_open_sessions(app, login_as, db, world):
    officer = login_as("commune1")
    assert officer.get("/households/").status_code == 200
    admin = app.test_client()
    admin.form("/login", {"username": "admin", "password": PASSWORD})
    assert admin.form(f"/admin/users/{world.users['commune1']}/deactivate").status_code == 303
    assert officer.get("/households/").status_code == 302
    again = officer.form("/login", {"username": "commune1", "password": PASSWORD})
    assert again.status_code == 422


def test_change_password(login_as, app, db, world):
    client = login_as("commune1")
    other_device = app.test_client()
    other_device.form("/login", {"username": "commune1", "password": PASSWORD})
    bad = client.form("/account/password", {"current": "sai", "new": "mua-lua-chin-som",
                                             "confirm": "mua-lua-chin-som"})
    assert bad.status_code == 422 and "Mật khẩu hiện tại không đúng" in bad.get_data(as_text=True)
    short = client.form("/account/password", {"current": PASSWORD, "new": "ngan",
                                               "confirm": "ngan"})
    assert short.status_code == 422 and "10 đến 128" in short.get_data(as_text=True)
    ok = client.form("/account/password", {"current": PASSWORD, "new": "mua-lua-chin-som",
                                            "confirm": "mua-lua-chin-som"})
    assert ok.status_code == 303
    assert client.get("/households/").status_code == 200          # this device stays in
    assert other_device.get("/households/").status_code == 302    # the other is signed out
    db.session.expire_all()
    assert db.session.get(User, world.users["commune1"]).check_password("mua-lua-chin-som")


def test_login_attempts_are_rate_limited(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        # Guesses spread over several names (no account's own count is reached).
        statuses = [client.form("/login", {"username": name, "password": "sai"}).status_code
                    for name in ("commune1", "commune3", "district1", "massorg1")]
        assert statuses == [422, 422, 422, 429]
        blocked = client.form("/login", {"username": "commune1", "password": PASSWORD})
        assert blocked.status_code == 429 and "Quá nhiều" in blocked.get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = TestConfig.LOGIN_RATE_LIMIT
        limiter.reset()
