"""The password rule (length, common passwords, username, reuse) on every form that sets a
password, and the password change an admin can require at next login."""
import pytest

from app.auth.passwords import common_passwords, password_problem
from app.core.users import User
from tests.conftest import PASSWORD, page_text


@pytest.mark.parametrize("password, problem", [
    ("12345678", "10 đến 128"), ("password", "10 đến 128"), ("x" * 129, "10 đến 128"),
    ("1234567890", "quá phổ biến"), ("PassWord123", "quá phổ biến"), ("QWERTYUIOP", "quá phổ biến"),
    ("matkhau123", "quá phổ biến"),
    ("Commune1-nam-2026", "chứa tên đăng nhập"),
    ("đồng lúa chín vàng", None), ("mot cau that de nho", None),
])
def test_password_rule(app, password, problem):
    with app.test_request_context():
        found = password_problem(password, "commune1")
        assert found is None if problem is None else problem in str(found)


def test_common_password_list_is_shipped():
    assert len(common_passwords()) > 500
    assert all(p == p.lower() for p in common_passwords())


def _change(client, new, current=PASSWORD):
    return client.form("/account/password", {"current": current, "new": new, "confirm": new})


def test_password_change_refuses_weak_and_reused(login_as, db, world):
    client = login_as("commune1")
    for weak, message in (("12345678", "10 đến 128"), ("password123", "quá phổ biến"),
                          ("toi-la-commune1", "chứa tên đăng nhập"),
                          (PASSWORD, "khác mật khẩu đang dùng")):
        response = _change(client, weak)
        assert response.status_code == 422 and message in page_text(response), weak
    db.session.expire_all()
    assert db.session.get(User, world.users["commune1"]).check_password(PASSWORD)


def test_admin_user_form_applies_the_rule(login_as, db, world):
    admin = login_as("admin")
    data = {"username": "canbo.hai", "full_name": "Cán Bộ Hai", "role": "commune",
            "unit_id": world.units["C2"], "active": "y"}
    common = admin.form("/admin/users/new", dict(data, password="iloveyou123"))
    assert common.status_code == 422 and "quá phổ biến" in page_text(common)
    named = admin.form("/admin/users/new", dict(data, password="canbo.hai-2026"))
    assert named.status_code == 422 and "chứa tên đăng nhập" in page_text(named)
    reused = admin.form(f"/admin/users/{world.users['commune1']}/edit", {
        "username": "commune1", "full_name": "Commune1", "role": "commune",
        "unit_id": world.units["C1"], "active": "y", "password": PASSWORD})
    assert reused.status_code == 422 and "khác mật khẩu đang dùng" in page_text(reused)


def test_admin_forces_a_password_change_at_next_login(app, login_as, db, world):
    admin = login_as("admin")
    assert admin.form(f"/admin/users/{world.users['commune1']}/edit", {
        "username": "commune1", "full_name": "Commune1", "role": "commune",
        "unit_id": world.units["C1"], "active": "y",
        "must_change_password": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, world.users["commune1"]).must_change_password

    officer = app.test_client()
    officer.form("/login", {"username": "commune1", "password": PASSWORD})
    for url in ("/", "/households/", f"/households/{world.households['C1']}"):
        response = officer.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/account/password"), url
    swap = officer.htmx_get("/households/?q=an")
    assert swap.headers["HX-Redirect"].endswith("/account/password")
    assert "Quản trị viên yêu cầu" in page_text(officer.get("/account/password"))

    assert _change(officer, "nuoc-chay-da-mon").status_code == 303
    assert officer.get("/households/").status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, world.users["commune1"]).must_change_password
