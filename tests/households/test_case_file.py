"""Households and members through HTTP, the way the browser uses them."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import AuditLog
from app.households.models import Household, Member
from tests.conftest import page_text

VALID_MEMBER = {"full_name": "Nguyễn Thị Mơ", "sex": "F", "birth_date": "12/03/1958",
                "relationship_code": "parent", "id_number": "042158000123"}


@pytest.fixture
def officer(login_as):
    return login_as("commune1")


@pytest.fixture
def household(db, world):
    return db.session.get(Household, world.households["C1"])


def members_of(db, household_id):
    return db.session.scalars(select(Member).where(Member.household_id == household_id,
                                                   Member.deleted_at.is_(None))).all()


def test_rollback_isolates_tests_part_1(officer, household, db):
    assert officer.form(f"/households/{household.id}/members/new", VALID_MEMBER,
                        htmx=True).status_code == 200
    assert len(members_of(db, household.id)) == 3


def test_rollback_isolates_tests_part_2(db, household):
    assert len(members_of(db, household.id)) == 2


def test_add_member_returns_panel_and_audits(officer, household, db):
    response = officer.form(f"/households/{household.id}/members/new", VALID_MEMBER, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#members"
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="members"')
    assert "Nguyễn Thị Mơ" in body
    assert "042158000123" not in body and "0123" in body  # CCCD masked in lists
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
    member = db.session.scalar(select(Member).where(Member.full_name == "Nguyễn Thị Mơ"))
    assert member.birth_date == date(1958, 3, 12) and member.birth_year == 1958
    assert member.commune_id == household.commune_id
    log = db.session.scalar(select(AuditLog).where(AuditLog.entity == "member",
                                                   AuditLog.entity_id == member.id))
    assert log.action == "create" and log.after["full_name"] == "Nguyễn Thị Mơ"


def test_plain_post_redirects_to_case_file(officer, household):
    response = officer.form(f"/households/{household.id}/members/new", VALID_MEMBER)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/households/{household.id}")


@pytest.mark.parametrize("field,value,message", [
    ("id_number", "12345", "đúng 12 chữ số"),
    ("id_number", "04215800012a", "đúng 12 chữ số"),
    ("id_number", "999158000123", "mã tỉnh"),
    ("id_number", "042070000123", "không khớp với giới tính và năm sinh"),
    ("birth_date", (clock.today() + timedelta(days=3)).strftime("%d/%m/%Y"), "tương lai"),
    ("birth_date", "31/02/1990", "dd/mm/yyyy"),
    ("full_name", "", "Không được để trống"),
    ("full_name", "   ", "Không được để trống"),
    ("full_name", "A" * 121, "120 ký tự"),
    ("relationship_code", "hacker", "Lựa chọn không hợp lệ"),
    ("birth_year", "năm", "số nguyên"),
    ("health_insurance_number", "ABC", "BHYT"),
])
def test_bad_member_input_is_422_in_place_and_writes_nothing(officer, household, db, field,
                                                             value, message):
    before = db.session.scalar(select(func.count()).select_from(Member))
    data = dict(VALID_MEMBER, **{field: value})
    response = officer.form(f"/households/{household.id}/members/new", data, htmx=True)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="member-form"')
    assert message in body
    assert db.session.scalar(select(func.count()).select_from(Member)) == before


def test_birth_year_or_date_required(officer, household):
    data = dict(VALID_MEMBER, birth_date="", id_number="")
    response = officer.form(f"/households/{household.id}/members/new", data, htmx=True)
    assert response.status_code == 422
    assert "Nhập ngày sinh hoặc năm sinh" in response.get_data(as_text=True)


def test_duplicate_cccd_refused(officer, household, db):
    assert officer.form(f"/households/{household.id}/members/new", VALID_MEMBER,
                        htmx=True).status_code == 200
    twin = dict(VALID_MEMBER, full_name="Người Khác")
    response = officer.form(f"/households/{household.id}/members/new", twin, htmx=True)
    assert response.status_code == 422
    assert "đã thuộc một người khác" in response.get_data(as_text=True)


def test_merit_member_sets_household_flag_and_filter(officer, household, db):
    data = dict(VALID_MEMBER, merit_category="g", merit_relation="self", merit_benefit="monthly")
    assert officer.form(f"/households/{household.id}/members/new", data, htmx=True).status_code == 200
    db.session.expire_all()
    assert db.session.get(Household, household.id).has_merit_member
    listing = officer.get("/households/?flag=merit").get_data(as_text=True)
    assert "HH-C1" in listing
    missing_relation = dict(VALID_MEMBER, id_number="", merit_category="c")
    response = officer.form(f"/households/{household.id}/members/new", missing_relation, htmx=True)
    assert response.status_code == 422 and "thân nhân" in response.get_data(as_text=True)


def _edit_household(client, household, **changes):
    data = {"code": household.code, "hamlet_id": household.hamlet_id,
            "head_name": household.head_name, "address": household.address,
            "version": household.version, **changes}
    return client.form(f"/households/{household.id}/edit", data, htmx=True)


def test_inline_edit_household(officer, household, db, world):
    response = _edit_household(officer, household, address="Xóm Đồi, số 7",
                               hamlet_id=world.units["H1b"])
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<section id="hh-summary"')
    db.session.expire_all()
    saved = db.session.get(Household, household.id)
    assert saved.address == "Xóm Đồi, số 7" and saved.version == 2
    assert saved.hamlet_id == world.units["H1b"]
    assert {m.hamlet_id for m in members_of(db, household.id)} == {world.units["H1b"]}


def test_stale_household_edit_is_409_and_shows_saved_values(officer, household, db):
    version = household.version
    assert _edit_household(officer, household, address="Địa chỉ của người A").status_code == 200
    response = _edit_household(officer, household, address="Địa chỉ của người B", version=version)
    assert response.status_code == 409
    text = page_text(response)
    assert "vừa được người khác cập nhật" in text
    assert "Địa chỉ của người A" in text
    db.session.expire_all()
    assert db.session.get(Household, household.id).address == "Địa chỉ của người A"


def test_stale_member_edit_is_409(officer, household, db):
    member = members_of(db, household.id)[1]
    data = {"full_name": member.full_name, "sex": member.sex, "birth_year": member.birth_year,
            "relationship_code": member.relationship_code, "version": member.version}
    url = f"/households/{household.id}/members/{member.id}/edit"
    assert officer.form(url, dict(data, full_name="Tên Mới A"), htmx=True).status_code == 200
    response = officer.form(url, dict(data, full_name="Tên Mới B"), htmx=True)
    assert response.status_code == 409 and "Tên Mới A" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Member, member.id).full_name == "Tên Mới A"


def test_editing_head_member_renames_household(officer, household, db):
    head = next(m for m in members_of(db, household.id) if m.is_head)
    data = {"full_name": "Nguyễn Văn Anh Mới", "sex": "M", "birth_year": 1970,
            "relationship_code": "head", "version": head.version}
    assert officer.form(f"/households/{household.id}/members/{head.id}/edit", data,
                        htmx=True).status_code == 200
    db.session.expire_all()
    assert db.session.get(Household, household.id).head_name == "Nguyễn Văn Anh Mới"
    assert "HH-C1" in officer.get("/households/?q=anh moi").get_data(as_text=True)


def test_soft_delete_member_needs_reason(officer, household, db):
    member = members_of(db, household.id)[1]
    url = f"/households/{household.id}/members/{member.id}/delete"
    response = officer.form(url, {"reason": "", "version": member.version}, htmx=True)
    assert response.status_code == 422 and "Không được để trống" in page_text(response)
    response = officer.form(url, {"reason": "Đã chuyển đi nơi khác", "version": member.version},
                            htmx=True)
    assert response.status_code == 200
    db.session.expire_all()
    deleted = db.session.get(Member, member.id)
    assert deleted.deleted_at is not None and deleted.deleted_reason == "Đã chuyển đi nơi khác"
    assert member.full_name not in page_text(officer.get(f"/households/{household.id}"))


def test_head_cannot_be_deleted(officer, household, db):
    head = next(m for m in members_of(db, household.id) if m.is_head)
    response = officer.form(f"/households/{household.id}/members/{head.id}/delete",
                            {"reason": "Thử xóa chủ hộ", "version": head.version}, htmx=True)
    assert response.status_code == 422 and "Không thể xóa chủ hộ" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Member, head.id).deleted_at is None


def test_soft_delete_household(officer, household, db):
    response = officer.form(f"/households/{household.id}/delete",
                            {"reason": "Hộ chuyển khẩu", "version": household.version})
    assert response.status_code == 303
    assert officer.get(f"/households/{household.id}").status_code == 404
    assert "HH-C1" not in officer.get("/households/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Household, household.id).deleted_reason == "Hộ chuyển khẩu"


def test_create_household(officer, world, db):
    response = officer.form("/households/new", {
        "code": "hh-moi-01", "hamlet_id": world.units["H1b"], "head_name": "  Phạm   Thị Ánh ",
        "is_female_headed": "y", "address": "Thôn Đông", "head_sex": "F", "head_birth_year": ""})
    assert response.status_code == 422 and "Năm sinh chủ hộ" in page_text(response)
    response = officer.form("/households/new", {
        "code": "hh-moi-01", "hamlet_id": world.units["H1b"], "head_name": "  Phạm   Thị Ánh ",
        "is_female_headed": "y", "address": "Thôn Đông", "head_sex": "F", "head_birth_year": "1961"})
    assert response.status_code == 303
    created = db.session.scalar(select(Household).where(Household.code == "HH-MOI-01"))
    assert created.head_name == "Phạm Thị Ánh" and created.is_female_headed
    assert created.commune_id == world.units["C1"] and created.district_id == world.units["D1"]
    [head] = members_of(db, created.id)
    assert (head.relationship_code, head.sex, head.birth_year) == ("head", "F", 1961)
    duplicate = officer.form("/households/new", {"code": "HH-MOI-01", "hamlet_id": world.units["H1"],
                                                 "head_name": "Ai Đó", "head_sex": "M",
                                                 "head_birth_year": "1980"})
    assert duplicate.status_code == 422 and "Mã hộ này đã có" in page_text(duplicate)


def test_case_file_view_is_audited_and_mass_org_sees_no_sensitive_fields(login_as, household, db):
    db.session.get(Member, members_of(db, household.id)[1].id).id_number = "042172000555"
    db.session.commit()
    client = login_as("massorg1")
    text = page_text(client.get(f"/households/{household.id}"))
    assert "Nguyễn Văn An" in text
    assert "0555" not in text and "CCCD" not in text and "Dân tộc" not in text
    assert "Sửa" not in text
    viewed = db.session.scalar(select(AuditLog).where(AuditLog.action == "view",
                                                      AuditLog.entity_id == household.id))
    assert viewed is not None and viewed.user.username == "massorg1"


def test_dates_shown_dd_mm_yyyy(officer, household):
    officer.form(f"/households/{household.id}/members/new", VALID_MEMBER, htmx=True)
    assert "12/03/1958" in page_text(officer.get(f"/households/{household.id}"))


def test_soft_delete_household_through_htmx_redirects_to_list(officer, household):
    response = officer.form(f"/households/{household.id}/delete",
                            {"reason": "Hộ chuyển khẩu", "version": household.version}, htmx=True)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/households/"
    assert officer.get(f"/households/{household.id}").status_code == 404
