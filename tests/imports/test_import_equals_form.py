"""A household imported from Excel equals the same household entered through the forms, column
by column: both writers take their derived fields (folded names, search text, merit flag, scope
columns) from households.derived, and this is where a writer computing one on its own shows."""
from datetime import datetime

from sqlalchemy import delete, select

from app.core import clock
from app.households.models import Household, Member
from tests.conftest import page_text
from tests.imports.conftest import batch_id_of, check, commit, messages, result_of, upload, xlsx

YEAR = clock.today().year
CODE = "NK-77"
NOTE = "Hộ mới tách"
HEADINGS = ["Mã hộ", "Thôn", "Địa chỉ", "Họ và tên", "Quan hệ với chủ hộ", "Ngày sinh",
            "Giới tính", "Dân tộc", "Số CCCD", "Số thẻ BHYT", "Hạn thẻ BHYT", "Khuyết tật",
            "Người có công (diện)", "Quan hệ với người có công", "Chế độ đang hưởng",
            "Trình độ học vấn", "Tình trạng việc làm", "Ghi chú"]
# One household of four: the head (a woman of an ethnic minority: the import derives both flags),
# a merit spouse with a disability, and a child and a grandparent whose names fold alike (the
# search text names them once); a date, a year only, an Excel date.
ROWS = [
    [CODE, "Thôn Đông", "Số 5, xóm Giữa", "Hà Thị Mai", "Chủ hộ", "12/03/1965", "Nữ", "Tày",
     "001165000777", "HN4380123456789", f"31/12/{YEAR}", None, None, None, None,
     "Trung học cơ sở", "Tự làm nông nghiệp/kinh doanh", NOTE],
    [CODE, None, None, "Lò  Văn Páo", "Vợ/chồng", 1962, "Nam", "Thái", "001062000778", None,
     None, "Vận động", "Thương binh", "Bản thân", "Trợ cấp hằng tháng", "Tiểu học", "Có việc làm",
     None],
    [CODE, None, None, "Hà Văn Minh", "Con", datetime(2010, 9, 5), "Nam", "Tày", None, None, None,
     None, None, None, None, "Trung học cơ sở", "Đang đi học", None],
    [CODE, None, None, "HÀ VĂN MINH", "Ông/bà", 1940, "Nam", "Tày", None, None, None, None, None,
     None, None, "Chưa đi học", "Già/nghỉ hưu", None],
]
# The same people as the forms take them.
HEAD = {"full_name": "Hà Thị Mai", "birth_date": "12/03/1965", "sex": "F",
        "relationship_code": "head", "ethnicity_code": "2", "id_number": "001165000777",
        "health_insurance_number": "HN4380123456789", "health_insurance_expiry": f"31/12/{YEAR}",
        "schooling_code": "lower_secondary", "work_status_code": "self_employed"}
MEMBERS = [
    {"full_name": "Lò  Văn Páo", "birth_year": "1962", "sex": "M", "relationship_code": "spouse",
     "ethnicity_code": "3", "id_number": "001062000778", "has_disability": "y",
     "disability_note": "Vận động", "merit_category": "g", "merit_relation": "self",
     "merit_benefit": "monthly", "schooling_code": "primary", "work_status_code": "employed"},
    {"full_name": "Hà Văn Minh", "birth_date": "05/09/2010", "sex": "M", "relationship_code": "child",
     "ethnicity_code": "2", "schooling_code": "lower_secondary", "work_status_code": "student"},
    {"full_name": "HÀ VĂN MINH", "birth_year": "1940", "sex": "M",
     "relationship_code": "grandparent", "ethnicity_code": "2", "schooling_code": "none",
     "work_status_code": "retired"},
]
NOT_COMPARED = {"id", "household_id", "created_at", "updated_at", "version"}


def snapshot(db, code) -> tuple[dict, list[dict]]:
    """Every column of the household and of its members (in position order) but ids,
    timestamps and versions."""
    db.session.expire_all()
    household = db.session.scalar(select(Household).where(Household.code == code))
    members = db.session.scalars(select(Member).where(Member.household_id == household.id)
                                 .order_by(Member.position, Member.id)).all()

    def columns(row):
        return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in NOT_COMPARED}
    return columns(household), [columns(m) for m in members]


def imported(client, db):
    batch_id = batch_id_of(upload(client, xlsx([HEADINGS, *ROWS]), "ho-moi.xlsx"))
    response = check(client, batch_id)
    assert response.status_code == 303, page_text(response)[:2000]
    _, result = result_of(db, batch_id)
    assert result["errors"] == 0, messages(result)
    assert (result["households_create"], result["members_create"], result["reviews_create"]) == (1, 4, 0)
    assert commit(client, batch_id).status_code == 303
    return snapshot(db, CODE)


def entered(client, db, world):
    response = client.form("/households/new", {
        "code": CODE.lower(), "hamlet_id": world.units["H1b"], "head_name": "Hà Thị Mai",
        "address": "Số 5, xóm Giữa", "is_ethnic_minority": "y", "is_female_headed": "y",
        "note": NOTE, "head_sex": "F", "head_birth_year": "1965"})
    assert response.status_code == 303, page_text(response)[:2000]
    db.session.expire_all()
    household = db.session.scalar(select(Household).where(Household.code == CODE))
    head = db.session.scalar(select(Member).where(Member.household_id == household.id))
    response = client.form(f"/households/{household.id}/members/{head.id}/edit",
                           {**HEAD, "version": head.version}, htmx=True)
    assert response.status_code == 200, page_text(response)[:2000]
    for member in MEMBERS:
        response = client.form(f"/households/{household.id}/members/new", member, htmx=True)
        assert response.status_code == 200, page_text(response)[:2000]
    return snapshot(db, CODE)


def test_household_imported_from_excel_equals_one_entered_through_the_forms(login_as, db, world):
    client = login_as("commune1")
    from_file, file_members = imported(client, db)
    # The code is unique: the imported household makes way for the same one typed in.
    household_id = db.session.scalar(select(Household.id).where(Household.code == CODE))
    db.session.execute(delete(Member).where(Member.household_id == household_id))
    db.session.execute(delete(Household).where(Household.id == household_id))
    db.session.commit()
    from_forms, form_members = entered(client, db, world)

    assert from_file["search_text"] == "nk-77|ha thi mai|lo van pao|ha van minh"
    assert from_file["has_merit_member"] and from_file["head_name_folded"] == "ha thi mai"
    assert from_file["hamlet_id"] == world.units["H1b"] and from_file["commune_id"] == world.units["C1"]
    assert len(file_members) == 4
    for column in from_file:
        assert from_forms[column] == from_file[column], column
    for position, (by_form, by_file) in enumerate(zip(form_members, file_members)):
        for column in by_file:
            assert by_form[column] == by_file[column], (position, column)
    assert (from_forms, form_members) == (from_file, file_members)
