"""The case file's sponsor panel: assign, end with a reason (history kept), stale edits,
smuggled ids; and the admin linking a sponsor user to its sponsor."""
from datetime import timedelta

from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.core.users import User
from app.sponsors.models import Assignment
from tests.conftest import page_text
from tests.sponsors.conftest import TODAY, make_assignment, make_sponsor


def _assignments(db, household_id):
    db.session.expire_all()
    return db.session.scalars(select(Assignment).where(Assignment.household_id == household_id)
                              .order_by(Assignment.id)).all()


def _assign(client, household_id, sponsor_id, **extra):
    return client.form(f"/sponsors/households/{household_id}/assign", {
        "sponsor_id": sponsor_id, "starts_on": TODAY.strftime("%d/%m/%Y"),
        "commitment": "200.000đ/tháng và giống lúa", **extra}, htmx=True)


def test_case_file_shows_panel_with_assign_form(login_as, world, sponsor):
    client = login_as("commune1")
    hh = world.households["C1"]
    page = client.get(f"/households/{hh}").get_data(as_text=True)
    # The case file holds a shell that loads the panel from the sponsors blueprint.
    assert '<section id="sponsors-panel"' in page
    assert f'hx-get="/sponsors/households/{hh}/panel"' in page
    response = client.htmx_get(f"/sponsors/households/{hh}/panel")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="sponsors-panel"')
    assert "Hộ chưa có nhà tài trợ nhận đỡ đầu." in body
    assert "Giao nhà tài trợ" in body and "Công ty TNHH Nông sản Bình Sơn" in body


def test_assign_then_end_keeps_history(login_as, db, world, sponsor):
    client = login_as("commune1")
    hh = world.households["C1"]
    response = _assign(client, hh, sponsor.id, starts_on="01/03/2025")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="sponsors-panel"')
    assert "200.000đ/tháng và giống lúa" in body and "01/03/2025" in body
    [assignment] = _assignments(db, hh)
    assert assignment.commune_id == world.units["C1"] and assignment.ends_on is None
    assert assignment.created_by_id == world.users["commune1"]

    response = client.form(f"/sponsors/assignments/{assignment.id}/end", {
        "ends_on": TODAY.strftime("%d/%m/%Y"), "reason": "Doanh nghiệp chuyển địa bàn",
        "version": assignment.version}, htmx=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "Đã kết thúc (1)" in text and "Doanh nghiệp chuyển địa bàn" in text
    assert f"01/03/2025 – {TODAY.strftime('%d/%m/%Y')}" in text
    [ended] = _assignments(db, hh)        # the same row, ended: never deleted
    assert ended.ends_on == TODAY and ended.end_reason == "Doanh nghiệp chuyển địa bàn"
    assert ended.version == 2
    logs = db.session.scalars(select(AuditLog).where(AuditLog.entity == "sponsor_assignment",
                                                     AuditLog.entity_id == ended.id)
                              .order_by(AuditLog.id)).all()
    assert [log.action for log in logs] == ["create", "update"]
    assert logs[1].after == {"ends_on": TODAY.isoformat(), "end_reason": "Doanh nghiệp chuyển địa bàn"}

    # Adopting again later is a new assignment; the old one stays in the history.
    response = _assign(client, hh, sponsor.id, starts_on=(TODAY + timedelta(days=1)).strftime("%d/%m/%Y"))
    assert response.status_code == 200
    assert len(_assignments(db, hh)) == 2


def test_plain_post_redirects_to_case_file(login_as, world, sponsor):
    client = login_as("commune1")
    response = client.form(f"/sponsors/households/{world.households['C1']}/assign", {
        "sponsor_id": sponsor.id, "starts_on": "01/01/2025", "commitment": "Giống lúa"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/households/{world.households['C1']}#sponsors-panel")


def test_assign_validation_and_duplicates(login_as, db, world, sponsor):
    client = login_as("commune1")
    hh = world.households["C1"]
    response = _assign(client, hh, sponsor.id, commitment="", starts_on="31/02/2025")
    assert response.status_code == 422
    text = page_text(response)
    assert "Không được để trống." in text and "Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy." in text
    assert _assign(client, hh, sponsor.id).status_code == 200
    response = _assign(client, hh, sponsor.id)
    assert response.status_code == 422
    assert "Nhà tài trợ này đang đỡ đầu hộ" in page_text(response)
    assert len(_assignments(db, hh)) == 1


def test_smuggled_sponsor_outside_scope_writes_nothing(login_as, db, world):
    far = make_sponsor(db, world, "Doanh nghiệp Tỉnh Hai", unit="C5")
    inactive = make_sponsor(db, world, "Doanh nghiệp đã ngừng", is_active=False)
    client = login_as("commune1")
    before = db.session.scalar(select(func.count()).select_from(Assignment))
    for sponsor_id in (far.id, inactive.id, 999999, "abc"):
        response = _assign(client, world.households["C1"], sponsor_id)
        assert response.status_code in (404, 422), sponsor_id
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == before


def test_other_commune_household_and_assignment_are_404(login_as, switch_to, db, world, sponsor):
    other = make_assignment(db, sponsor, world.households["C3"])
    client = login_as("commune1")
    assert _assign(client, world.households["C3"], sponsor.id).status_code == 404
    response = client.form(f"/sponsors/assignments/{other.id}/end", {
        "ends_on": TODAY.strftime("%d/%m/%Y"), "reason": "thử", "version": 1}, htmx=True)
    assert response.status_code == 404
    assert _assignments(db, world.households["C3"])[0].ends_on is None
    assert switch_to("district1").get(f"/sponsors/households/{world.households['C3']}/panel").status_code == 404


def test_stale_end_is_409_and_nothing_changes(login_as, db, world, sponsor):
    assignment = make_assignment(db, sponsor, world.households["C1"])
    client = login_as("commune1")
    first = client.form(f"/sponsors/assignments/{assignment.id}/end", {
        "ends_on": TODAY.strftime("%d/%m/%Y"), "reason": "Hết cam kết", "version": 1}, htmx=True)
    assert first.status_code == 200
    second = client.form(f"/sponsors/assignments/{assignment.id}/end", {
        "ends_on": TODAY.strftime("%d/%m/%Y"), "reason": "Lý do khác", "version": 1}, htmx=True)
    assert second.status_code == 409
    assert "Phân công vừa được người khác cập nhật" in page_text(second)
    assert "Hết cam kết" in page_text(second)            # the saved state is shown
    [row] = _assignments(db, world.households["C1"])
    assert row.end_reason == "Hết cam kết" and row.version == 2


def test_end_needs_reason_and_sane_date(login_as, db, world, sponsor):
    assignment = make_assignment(db, sponsor, world.households["C1"],
                                 starts_on=TODAY - timedelta(days=10))
    client = login_as("commune1")
    url = f"/sponsors/assignments/{assignment.id}/end"
    response = client.form(url, {"ends_on": TODAY.strftime("%d/%m/%Y"), "reason": "",
                                 "version": 1}, htmx=True)
    assert response.status_code == 422 and "Không được để trống." in page_text(response)
    response = client.form(url, {"ends_on": (TODAY - timedelta(days=20)).strftime("%d/%m/%Y"),
                                 "reason": "Nhầm", "version": 1}, htmx=True)
    assert response.status_code == 422
    assert "Ngày kết thúc không được trước ngày bắt đầu" in page_text(response)
    response = client.form(url, {"ends_on": (TODAY + timedelta(days=5)).strftime("%d/%m/%Y"),
                                 "reason": "Sau này", "version": 1}, htmx=True)
    assert response.status_code == 422 and "Ngày không được ở tương lai." in page_text(response)
    [row] = _assignments(db, world.households["C1"])
    assert row.ends_on is None and row.version == 1


def test_readers_see_panel_without_forms(switch_to, db, world, sponsor):
    make_assignment(db, sponsor, world.households["C1"])
    for username in ("massorg1", "district1"):
        client = switch_to(username)
        assert client.get(f"/households/{world.households['C1']}").status_code == 200
        response = client.htmx_get(f"/sponsors/households/{world.households['C1']}/panel")
        body = response.get_data(as_text=True)
        assert "200.000đ/tháng và giống lúa" in body
        assert "Kết thúc đỡ đầu" not in body and "Giao nhà tài trợ" not in body
        assert client.form(f"/sponsors/households/{world.households['C1']}/assign", {
            "sponsor_id": sponsor.id, "starts_on": "01/01/2025", "commitment": "x"}).status_code == 403


# Admin: a sponsor user belongs to one sponsor --------------------------------------------------

def test_admin_links_sponsor_user(login_as, db, world, sponsor):
    client = login_as("admin")
    url = f"/admin/users/{world.users['sponsor1']}/edit"
    base = {"username": "sponsor1", "full_name": "Nhà tài trợ Một", "role": "sponsor",
            "unit_id": world.units["C1"], "active": "y"}
    response = client.form(url, base)
    assert response.status_code == 422
    assert "cần thuộc một nhà tài trợ" in page_text(response)
    assert client.form(url, {**base, "sponsor_id": sponsor.id}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, world.users["sponsor1"]).sponsor_id == sponsor.id
    log = db.session.scalar(select(AuditLog).where(AuditLog.entity == "user",
                                                   AuditLog.entity_id == world.users["sponsor1"])
                            .order_by(AuditLog.id.desc()).limit(1))
    assert log.after["sponsor_id"] == sponsor.id
    # Any other role: no sponsor.
    response = client.form(f"/admin/users/{world.users['commune1']}/edit", {
        "username": "commune1", "full_name": "Commune1", "role": "commune",
        "unit_id": world.units["C1"], "sponsor_id": sponsor.id, "active": "y"})
    assert response.status_code == 422
    assert "Chỉ người dùng vai trò Nhà tài trợ" in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, world.users["commune1"]).sponsor_id is None
