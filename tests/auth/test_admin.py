"""Admin pages: users with role-appropriate scope, units as a tree, the audit log."""
from sqlalchemy import select

from app.core.audit import AuditLog
from app.core.units import AdminUnit
from app.core.users import User
from tests.conftest import page_text


def test_admin_creates_user_with_scope(login_as, world, db):
    admin = login_as("admin")
    data = {"username": "canbo.moi", "full_name": "Cán Bộ Mới", "role": "commune",
            "unit_id": world.units["C2"], "password": "dong-lua-chin-vang", "active": "y"}
    assert admin.form("/admin/users/new", data).status_code == 303
    user = db.session.scalar(select(User).where(User.username == "canbo.moi"))
    assert user.unit_id == world.units["C2"] and user.check_password("dong-lua-chin-vang")
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "user",
                                                    AuditLog.entity_id == user.id)).action == "create"
    again = admin.form("/admin/users/new", data)
    assert again.status_code == 422 and "Tên đăng nhập đã có" in page_text(again)


def test_role_needs_matching_scope_level(login_as, world):
    admin = login_as("admin")
    base = {"username": "sai.cap", "full_name": "Sai Cấp", "password": "dong-lua-chin-vang",
            "active": "y"}
    district_at_commune = admin.form("/admin/users/new", dict(base, role="district",
                                                              unit_id=world.units["C1"]))
    assert district_at_commune.status_code == 422
    assert "Vai trò này cần địa bàn cấp" in page_text(district_at_commune)
    commune_without_unit = admin.form("/admin/users/new", dict(base, role="commune", unit_id=""))
    assert commune_without_unit.status_code == 422
    bad_username = admin.form("/admin/users/new", dict(base, username="Tên Có Dấu", role="admin"))
    assert bad_username.status_code == 422 and "chữ thường không dấu" in page_text(bad_username)


def test_admin_cannot_lock_self_out(login_as, world, db):
    admin = login_as("admin")
    response = admin.form(f"/admin/users/{world.users['admin']}/deactivate")
    assert response.status_code == 303
    assert db.session.get(User, world.users["admin"]).active


def test_units_tree_and_rules(login_as, world, db):
    admin = login_as("admin")
    assert "Tỉnh Một" in page_text(admin.get("/admin/units"))
    assert "Xã Một" in page_text(admin.get(f"/admin/units?parent={world.units['D1']}"))
    ok = admin.form("/admin/units/new", {"code": "0010103", "name": "Thôn Mới", "level": "hamlet",
                                         "parent_id": world.units["C1"]})
    assert ok.status_code == 303
    hamlet = db.session.scalar(select(AdminUnit).where(AdminUnit.code == "0010103"))
    assert hamlet.path == f"/{world.units['P1']}/{world.units['D1']}/{world.units['C1']}/{hamlet.id}/"
    no_district = admin.form("/admin/units/new", {"code": "00105", "name": "Xã Sáu",
                                                  "level": "commune", "parent_id": world.units["P1"]})
    assert no_district.status_code == 303
    wrong = admin.form("/admin/units/new", {"code": "X1", "name": "Thôn Sai", "level": "hamlet",
                                            "parent_id": world.units["D1"]})
    assert wrong.status_code == 422 and "phải thuộc" in page_text(wrong)
    dup = admin.form("/admin/units/new", {"code": "01", "name": "Trùng", "level": "province"})
    assert dup.status_code == 422 and "Mã đơn vị đã có" in page_text(dup)


def test_audit_log_page(login_as):
    admin = login_as("admin")
    text = page_text(admin.get("/admin/audit?action=login"))
    assert "login" in text and "admin" in text
