"""Fixes from an officer importing a list in a layout never seen before (issue 16): the
indicators' usual short headings, impossible dates, errors by row with an error workbook, the
template as downloaded, người có công and causes as officers write them, enough sample rows."""
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.core import clock
from app.households.models import Household
from app.reviews.models import Review
from tests.conftest import page_text
from tests.imports.conftest import (batch_id_of, check, commit, messages, result_of, suggested,
                                    upload, xlsx)

YEAR = clock.today().year
SHORT = ["Việc làm", "Người phụ thuộc", "Dinh dưỡng", "BHYT", "Giáo dục người lớn",
         "Trẻ em đi học", "Chất lượng nhà ở", "Diện tích nhà ở", "Nguồn nước", "Nhà tiêu HVS",
         "Viễn thông", "Tiếp cận thông tin"]
CODES = ["employment", "dependants", "nutrition", "health_insurance", "adult_education",
         "child_schooling", "housing_quality", "housing_area", "water", "latrine", "telecom",
         "information_devices"]


def page_value(html, name):
    """The value an input of the page holds (as the browser would submit it)."""
    m = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert m, name
    value = re.search(r'value="([^"]*)"', m.group(0))
    return value.group(1) if value else ""


def short_heading_file(group="Các chỉ số thiếu hụt dịch vụ xã hội cơ bản", mark_last=False):
    title = ["DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025"]
    first = ["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Thu nhập bình quân",
             "Số thẻ BHYT", group] + [None] * 11 + ["Phân loại"]
    second = [None] * 6 + SHORT
    marks = ["x", None, None, "x", None, None, None, None, None, "x", None, "x" if mark_last else None]
    row = ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông", 1_200_000, None] + marks + ["Hộ nghèo"]
    merges = ["A1:S1", "G2:R2"] + [f"{c}2:{c}3" for c in "ABCDEFS"]
    return xlsx([title, first, second, row], merges=merges)


def test_the_twelve_short_indicator_headings_are_recognised(login_as, db):
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, short_heading_file(), "chi-so.xlsx"))
    html = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    # The year (and the review date) from the title row: the 2022–2026 standard's indicators.
    assert page_value(html, "year") == "2025"
    assert page_value(html, "review_date") == "14/12/2025"
    chosen = suggested(html)
    assert [chosen[f"col_{6 + i}"] for i in range(12)] == [f"ind:{c}" for c in CODES]
    assert chosen["col_5"] == "health_insurance_number" and chosen["col_4"] == "income"
    assert "ind:" not in page_text(client.get(f"/imports/{batch_id}"))  # labels, never a code
    response = check(client, batch_id, year=2025, review_date="14/12/2025",
                     decision=("12/QĐ-UBND", "20/12/2025"))
    assert response.status_code == 303, page_text(response)[:2000]
    _, result = result_of(db, batch_id)
    assert result["errors"] == 0, messages(result)
    commit(client, batch_id)
    household = db.session.scalar(select(Household).where(Household.head_name == "Trần Văn Bảy"))
    review = db.session.scalar(select(Review).where(Review.household_id == household.id))
    assert sorted(i.code for i in review.deprivations) == ["employment", "health_insurance", "latrine"]


def test_short_headings_alone_on_one_row_choices_of_the_years_standard(login_as, db):
    """Numbered short headings on one row; no year in the title: this year's review, whose
    standard (2027–2030 for a 2026 review) has no "information devices" indicator: that column
    is left unmapped and the choices are the standard's own, numbered and labelled."""
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Thu nhập BQ",
             *[f"{i + 1}. {h}" for i, h in enumerate(SHORT)]],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông", 1_200_000] + [None] * 12]
    batch_id = batch_id_of(upload(client, xlsx(rows), "chi-so.xlsx"))
    html = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    chosen = suggested(html)
    assert [chosen[f"col_{5 + i}"] for i in range(11)] == [f"ind:{c}" for c in CODES[:11]]
    assert chosen["col_16"] in ("", "deprivations")
    assert 'value="ind:information_devices"' not in html and 'value="ind:digital_services"' in html
    assert "13. Sử dụng dịch vụ số" in html and "4. Bảo hiểm y tế" in html


def test_impossible_date_says_the_day_does_not_exist(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Ngày sinh", "Giới tính", "Thôn"],
            ["Trần Văn Bảy", "31/02/1980", "Nam", "Thôn Đông"],
            ["Lê Văn Tư", "29/02/1980", "Nam", "Thôn Đông"],        # 1980 is a leap year
            ["Lê Thị Tám", "12/13/1980", "Nữ", "Thôn Đông"]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "ngay.xlsx"))
    response = check(client, batch_id, htmx=True)
    text = page_text(response)
    assert "Ngày 31/02/1980 không có: tháng 2 năm 1980 chỉ có 29 ngày." in text
    assert "Ngày 12/13/1980 không có: tháng phải từ 1 đến 12 (dd/mm/yyyy)." in text
    _, result = result_of(db, batch_id)
    assert [r for r, f, level, m in messages(result) if level == "e"] == [2, 4]


def test_errors_by_row_and_the_error_workbook(login_as, db):
    """Errors found at different stages (a row's own, the household's, duplicates) listed by
    row; the file comes back with a "Lỗi" column on the rows that have problems."""
    client = login_as("commune1")
    rows = [["DANH SÁCH HỘ"],
            ["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Số CCCD", "Ghi chú"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông", "001058000123", "+84 912 345 678"],
            ["Phạm Văn Mười", 1960, "Nam", "Thôn Không Có", None, None],
            ["Lê Thị Tám", 1960, "Nữ", "Thôn Đông", "001058000123", None],
            ["Đỗ Văn Ổn", 1961, "Nam", "Thôn Đông", None, None],
            ["Hà Văn Sai", "31/02/1980", "Gà", "Thôn Đông", None, None]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "loi.xlsx"))
    check(client, batch_id)
    _, result = result_of(db, batch_id)
    found = [r for r, _, level, _ in messages(result)]
    assert found == sorted(found) and result["errors"] >= 4
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert f"/imports/{batch_id}/errors.xlsx" in page
    response = client.get(f"/imports/{batch_id}/errors.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.get_data())).active
    assert ws.cell(1, 1).value == "DANH SÁCH HỘ"
    assert [c.value for c in ws[2]] == rows[1] + ["Lỗi"]
    assert [c.value for c in ws[3]][:5] == rows[2][:5]
    assert ws.cell(3, 6).value == "+84 912 345 678" and ws.cell(3, 6).data_type == "s"
    errors = {r: ws.cell(r, 7).value for r in range(3, 8)}
    assert "D · Thôn: Không tìm thấy thôn “Thôn Không Có”" in errors[4]
    assert "Số CCCD trùng với dòng 3" in errors[5]
    assert errors[6] is None
    assert "Ngày 31/02/1980 không có" in errors[7] and "Giới tính" in errors[7]
    # Another commune's officer cannot download it.
    client.post("/logout", data={"csrf_token": client.csrf()})
    other = login_as("commune3")
    assert other.get(f"/imports/{batch_id}/errors.xlsx").status_code == 404


def test_the_template_imports_as_downloaded(login_as, db):
    """Downloaded, uploaded, checked with the page as it comes (no decision typed) and
    committed: a new household (blank code: the system gives the next code) of two members."""
    client = login_as("commune1")
    data = client.get("/imports/template.xlsx").get_data()
    batch_id = batch_id_of(upload(client, data, "mau.xlsx"))
    html = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    form = {**suggested(html), "year": page_value(html, "year"),
            "review_date": page_value(html, "review_date")}
    response = client.form(f"/imports/{batch_id}/check", form)
    assert response.status_code == 303, page_text(response)[:2000]
    _, result = result_of(db, batch_id)
    assert result["errors"] == 0, messages(result)
    assert (result["households_create"], result["members_create"], result["reviews_create"]) == (1, 2, 1)
    assert commit(client, batch_id).status_code == 303
    db.session.expire_all()
    household = db.session.scalar(select(Household).where(Household.head_name == "Nguyễn Văn Mẫu"))
    assert household.code.endswith("-00001") or household.code.rsplit("-", 1)[-1].isdigit()
    assert sorted((m.full_name, m.relationship_code) for m in household.members) == [
        ("Nguyễn Văn Mẫu", "head"), ("Trần Thị Mẫu", "spouse")]


def test_blank_codes_new_households_under_their_heads(login_as, db):
    client = login_as("commune1")
    rows = [["Mã hộ", "Họ và tên", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính", "Thôn"],
            [None, "Trần Văn Một", "Chủ hộ", 1960, "Nam", "Thôn Đông"],
            [None, "Lê Thị Hai", "Vợ", 1962, "Nữ", None],
            ["NK-09", "Phạm Văn Ba", "Chủ hộ", 1970, "Nam", "Thôn Đông"],
            [None, "Phạm Thị Bốn", "Con", 2000, "Nữ", None],
            [None, "Đỗ Văn Năm", "Chủ hộ", 1980, "Nam", "Thôn Đông"]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "ma-trong.xlsx"))
    check(client, batch_id)
    _, result = result_of(db, batch_id)
    assert result["errors"] == 0, messages(result)
    assert (result["households_create"], result["members_create"]) == (3, 5)


def test_merit_categories_and_causes_as_officers_write_them(login_as, db):
    client = login_as("commune1")
    rows = [["Mã hộ", "Họ và tên", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính", "Thôn",
             "Người có công", "Thu nhập bình quân", "Nguyên nhân nghèo"],
            ["NC-01", "Trần Văn Một", "Chủ hộ", 1950, "Nam", "Thôn Đông", "Con liệt sĩ", 1_000_000,
             "Không có công cụ, phương tiện sản xuất, thiếu vốn"],
            ["NC-01", "Lê Thị Hai", "Vợ", 1952, "Nữ", None, "Người HĐKC bị nhiễm chất độc hóa học"],
            ["NC-02", "Phạm Văn Ba", "Chủ hộ", 1948, "Nam", "Thôn Đông", "TB 2/4", 1_000_000,
             "Ốm đau, bệnh tật; Không biết cách làm ăn, không có tay nghề"],
            ["NC-02", "Phạm Thị Bốn", "Con", 1975, "Nữ", None, "Thân nhân liệt sĩ"],
            ["NC-03", "Đỗ Văn Năm", "Chủ hộ", 1949, "Nam", "Thôn Đông", "Bệnh binh", 1_000_000,
             "Nguyên nhân khác (thiên tai, rủi ro…)"],
            ["NC-03", "Đỗ Văn Sáu", "Con", 1980, "Nam", None, "Con thương binh"]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "ncc.xlsx"))
    response = check(client, batch_id)
    assert response.status_code == 303, page_text(response)[:1000]
    _, result = result_of(db, batch_id)
    assert result["errors"] == 0, messages(result)
    commit(client, batch_id)
    db.session.expire_all()
    from app.households.models import Member
    got = {m.full_name: (m.merit_category, m.merit_relation) for m in db.session.scalars(
        select(Member).join(Household).where(Household.code.in_(["NC-01", "NC-02", "NC-03"])))}
    assert got == {"Trần Văn Một": ("c", "relative"), "Lê Thị Hai": ("i", "self"),
                   "Phạm Văn Ba": ("g", "self"), "Phạm Thị Bốn": ("c", "relative"),
                   "Đỗ Văn Năm": ("h", "self"), "Đỗ Văn Sáu": ("g", "relative")}
    causes = {}
    for code in ("NC-01", "NC-02", "NC-03"):
        review = db.session.scalar(select(Review).join(Household).where(Household.code == code))
        causes[code] = sorted(c.cause_code for c in review.causes)
    assert causes == {"NC-01": ["no_capital", "no_means"], "NC-02": ["illness", "no_skills"],
                      "NC-03": ["other"]}


def test_unknown_cause_and_merit_named(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Người có công",
             "Thu nhập bình quân", "Nguyên nhân nghèo"],
            ["Trần Văn Một", 1950, "Nam", "Thôn Đông", "Cựu chiến binh", 1_000_000,
             "Thiếu vốn, xe hỏng"]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "ncc.xlsx"))
    text = page_text(check(client, batch_id, htmx=True))
    assert "Diện người có công “Cựu chiến binh” không có trong danh mục (a–m)." in text
    assert "Nguyên nhân nghèo “xe hỏng” không có trong danh mục." in text


def test_the_mapping_page_shows_the_first_rows(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn"]] + [
        [f"Người Số {i}", 1950 + i, "Nam", "Thôn Đông"] for i in range(1, 16)]
    batch_id = batch_id_of(upload(client, xlsx(rows), "dai.xlsx"))
    html = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    table = html.split('id="import-samples"', 1)[1].split("</table>", 1)[0]
    shown = re.findall(r"Người Số (\d+)", table)
    assert len(shown) >= 10 and shown[:10] == [str(i) for i in range(1, 11)]
    assert "12 dòng dữ liệu đầu của tệp" in page_text(client.get(f"/imports/{batch_id}"))


def test_a_mark_outside_the_years_standard_is_named_by_its_label(login_as, db):
    """Mapped as the title's 2025 review (2022–2026 standard), checked as this year's review
    (2027–2030 standard): a mark under "Tiếp cận thông tin" is refused by name, not by code."""
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, short_heading_file(mark_last=True), "chi-so.xlsx"))
    html = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert suggested(html)["col_17"] == "ind:information_devices"
    text = page_text(check(client, batch_id, year=2026, htmx=True))
    assert "Chỉ số “Phương tiện phục vụ tiếp cận thông tin” không thuộc chuẩn nghèo 2027–2030." in text
    assert "information_devices" not in text


def test_changing_the_year_changes_the_indicator_choices(login_as, db):
    """The page as htmx asks for it again when the year changes: the choices of that year's
    standard, the other columns' choices and the typed values kept."""
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Tiếp cận thông tin"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông", "x"]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "nam.xlsx"))
    html = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert page_value(html, "year") == str(YEAR)
    assert 'value="ind:information_devices"' not in html
    chosen = {**suggested(html), "col_1": ""}
    response = client.get(f"/imports/{batch_id}", query_string={
        "step": "map", "year": 2025, "review_date": "14/12/2025", "decision_number": "7/QĐ-UBND",
        **chosen}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="import-step"' in html
    assert page_value(html, "year") == "2025" and page_value(html, "decision_number") == "7/QĐ-UBND"
    assert 'value="ind:information_devices"' in html and 'value="ind:digital_services"' not in html
    now = suggested(html)
    assert now["col_0"] == "head_name" and now["col_1"] == ""


def test_deprivations_written_by_short_names(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Thu nhập bình quân",
             "Chỉ số thiếu hụt"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông", 1_200_000, "Việc làm, BHYT, Nhà tiêu HVS"]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "ten.xlsx"))
    check(client, batch_id)
    _, result = result_of(db, batch_id)
    assert result["errors"] == 0, messages(result)
    commit(client, batch_id)
    review = db.session.scalar(select(Review).join(Household).where(
        Household.head_name == "Trần Văn Bảy"))
    assert sorted(i.code for i in review.deprivations) == ["employment", "health_insurance", "latrine"]


def test_error_workbook_of_a_csv_file(login_as, db):
    client = login_as("commune1")
    data = ("Họ và tên chủ hộ;Ngày sinh;Giới tính;Thôn\n"
            "Trần Văn Bảy;31/02/1980;Nam;Thôn Đông\n").encode("utf-8-sig")
    batch_id = batch_id_of(upload(client, data, "ds.csv"))
    check(client, batch_id)
    response = client.get(f"/imports/{batch_id}/errors.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.get_data())).active
    assert ws.cell(1, 5).value == "Lỗi" and ws.cell(2, 1).value == "Trần Văn Bảy"
    assert "B · Ngày sinh: Ngày 31/02/1980 không có" in ws.cell(2, 5).value


def test_no_error_workbook_without_problems(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn"], ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông"]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "ok.xlsx"))
    check(client, batch_id)
    assert "errors.xlsx" not in client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert client.get(f"/imports/{batch_id}/errors.xlsx").status_code == 404
