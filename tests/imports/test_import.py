"""The import through HTTP as the browser does it: upload → mapping page → check → commit.
Bad files are refused with a Vietnamese message and nothing written; two real-world layouts of
the same list give the same households; matching updates instead of duplicating."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.core import clock
from app.households.models import Household, Member
from app.imports.models import ImportBatch, ImportMapping
from app.reviews.models import Review
from tests.conftest import page_text
from tests.imports import files
from tests.imports.conftest import (batch_id_of, check, commit, counts, messages, result_of,
                                    upload, xlsx)

YEAR = clock.today().year


def layout_households() -> bytes:
    """One row per household, as a commune prints its list: title rows, headings merged over
    two rows with birth years under Nam/Nữ, a numbering row, a totals row and signatures."""
    rows = [["ỦY BAN NHÂN DÂN XÃ MỘT"], [f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {YEAR}"], [],
            ["STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", None, "Số CCCD", "Dân tộc", "Thôn",
             "Thu nhập bình quân (đồng/người/tháng)", "Chỉ số thiếu hụt", "Phân loại"],
            [None, None, None, "Nam", "Nữ"],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)", "(11)"],
            [1, "NK-01", "Trần Văn Bảy", 1958, None, "001058000123", "Kinh", "Thôn Đông",
             "1.200.000", "1, 9, 10", "Hộ nghèo"],
            [2, "NK-02", "Lê Thị Tám", None, 1960, "001160000456", "Tày", "Thôn C1", "1.400.000",
             "2", "Hộ cận nghèo"],
            ["Tổng cộng", None, "2 hộ"], [],
            [None, "Người lập biểu", None, None, None, None, None, "Chủ tịch UBND xã"],
            [None, "Nguyễn Văn Lập"]]
    merges = ["A1:K1", "A2:K2", "D4:E4"] + [f"{c}4:{c}5" for c in "ABCFGHIJK"]
    return xlsx(rows, merges=merges)


def layout_members() -> bytes:
    """One row per person, other heading words, dates as Excel serial numbers and Excel dates,
    the household code merged down over its members (so blank below the first)."""
    rows = [["Danh sách nhân khẩu hộ nghèo, cận nghèo"],
            ["Mã số hộ", "Họ tên", "Quan hệ với chủ hộ", "Ngày tháng năm sinh", "Giới tính",
             "Số định danh cá nhân", "Dân tộc", "Tên thôn", "Thu nhập BQ", "Các chỉ số thiếu hụt",
             "Kết quả rà soát"],
            ["NK-01", "Trần Văn Bảy", "Chủ hộ", 21256, "Nam", "001058000123", "Kinh", "Đông", 1200000,
             "1,9,10", "nghèo"],
            [None, "Nguyễn Thị Chín", "Vợ", datetime(1962, 5, 1), "Nữ", None, "Kinh"],
            ["NK-02", "Lê Thị Tám", "Chủ hộ", 21916, "Nữ", "001160000456", "Tày", "Thôn C1", 1400000,
             2, "Cận nghèo"]]
    return xlsx(rows, merges=["A3:A4"], formats={"D3": "General", "D5": "General"})


def imported(client, data, name="danh-sach.xlsx", **options):
    """Upload, check with the page's suggestions, commit; the batch id."""
    batch_id = batch_id_of(upload(client, data, name))
    response = check(client, batch_id, **options)
    assert response.status_code == 303, page_text(response)[:2000]
    response = commit(client, batch_id)
    assert response.status_code == 303, page_text(response)[:2000]
    return batch_id


def households_by_code(db, codes):
    db.session.expire_all()
    out = {}
    for hh in db.session.scalars(select(Household).where(Household.code.in_(codes))):
        head = next(m for m in hh.members if m.is_head)
        out[hh.code] = {"head": hh.head_name, "hamlet": hh.hamlet.name, "status": hh.status,
                        "status_year": hh.status_year, "minority": hh.is_ethnic_minority,
                        "female": hh.is_female_headed, "year": head.birth_year, "sex": head.sex,
                        "cccd": head.id_number, "ethnicity": head.ethnicity_code,
                        "search": hh.search_text.split("|")[:2]}
    return out


EXPECTED = {
    "NK-01": {"head": "Trần Văn Bảy", "hamlet": "Thôn Đông", "status": "poor", "status_year": YEAR,
              "minority": False, "female": False, "year": 1958, "sex": "M", "cccd": "001058000123",
              "ethnicity": "1", "search": ["nk-01", "tran van bay"]},
    "NK-02": {"head": "Lê Thị Tám", "hamlet": "Thôn C1", "status": "near_poor", "status_year": YEAR,
              "minority": True, "female": True, "year": 1960, "sex": "F", "cccd": "001160000456",
              "ethnicity": "2", "search": ["nk-02", "le thi tam"]},
}


@pytest.mark.parametrize("layout, mode, members", [(layout_households, "household", 2),
                                                    (layout_members, "member", 3)])
def test_two_real_world_layouts_give_the_same_households(layout, mode, members, login_as, db):
    client = login_as("commune1")
    before = counts(db)
    batch_id = batch_id_of(upload(client, layout(), "ds.xlsx"))
    mapping_page = page_text(client.get(f"/imports/{batch_id}"))
    assert "Bước 2" in mapping_page
    response = check(client, batch_id, htmx=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "Không có lỗi" in text and "Hộ tạo mới 2" in text
    batch, result = result_of(db, batch_id)
    assert batch.state == "previewed" and result["mode"] == mode
    assert (result["households_create"], result["members_create"], result["reviews_create"]) == (2, members, 2)
    assert result["errors"] == 0, messages(result)
    assert counts(db)["households"] == before["households"]      # a check writes nothing
    response = commit(client, batch_id, htmx=True)
    assert response.status_code == 200 and "Đã nhập xong" in page_text(response)
    assert households_by_code(db, EXPECTED) == EXPECTED
    after = counts(db)
    assert after["households"] == before["households"] + 2
    assert after["members"] == before["members"] + members
    assert after["reviews"] == before["reviews"] + 2
    review = db.session.scalar(select(Review).join(Household).where(Household.code == "NK-01"))
    assert (review.year, review.decided_status, review.computed_status, review.income_per_capita,
            review.decision_number, review.transition) == (
        YEAR, "poor", "poor", 1_200_000, "12/QĐ-UBND", "newly_poor")
    assert sorted(i.code for i in review.deprivations) == ["employment", "latrine", "water"]
    assert db.session.get(ImportBatch, batch_id).state == "committed"
    if mode == "household":
        assert result["skipped"] == 3                # the totals row, the signature block
        assert any("phần cuối bảng" in m[3] for m in messages(result))


def test_second_layout_over_the_first_updates_without_duplicates(login_as, db):
    client = login_as("commune1")
    imported(client, layout_households())
    before = counts(db)
    batch_id = imported(client, layout_members())
    _, result = result_of(db, batch_id)
    assert (result["households_create"], result["households_update"]) == (0, 2)
    assert (result["members_create"], result["members_update"]) == (1, 2)   # spouse; dates of birth
    after = counts(db)
    assert after["households"] == before["households"] and after["members"] == before["members"] + 1
    tam = db.session.scalar(select(Member).where(Member.id_number == "001160000456"))
    assert tam.birth_date == date(1960, 1, 1) and tam.version == 2
    assert households_by_code(db, EXPECTED) == EXPECTED


def test_same_file_again_changes_nothing(login_as, db):
    client = login_as("commune1")
    imported(client, layout_households())
    before = counts(db)
    batch_id = batch_id_of(upload(client, layout_households(), "lai.xlsx"))
    check(client, batch_id)
    _, result = result_of(db, batch_id)
    assert (result["households_create"], result["households_update"],
            result["households_unchanged"]) == (0, 0, 2)
    commit(client, batch_id)
    assert counts(db)["households"] == before["households"]


def test_matching_by_cccd_then_by_name_birth_year_and_hamlet(login_as, db, world):
    client = login_as("commune1")
    existing = db.session.get(Household, world.households["C1"])      # Nguyễn Văn An, 1970, Thôn C1
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Địa chỉ"],
            ["Nguyễn Văn An", 1970, "Nam", "Thôn C1", "Số 9, xóm mới"]]
    before = counts(db)
    batch_id = imported(client, xlsx(rows))
    _, result = result_of(db, batch_id)
    assert result["households_update"] == 1 and result["households_create"] == 0
    db.session.expire_all()
    existing = db.session.get(Household, existing.id)
    assert existing.address == "Số 9, xóm mới" and existing.version == 2
    assert counts(db)["households"] == before["households"]
    # Give the head a CCCD; then a row with that CCCD but another spelling matches by CCCD.
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD", "Thôn"],
            ["Nguyễn Văn An", 1970, "Nam", "001070000777", "Thôn C1"]]
    imported(client, xlsx(rows))
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD", "Thôn", "Ghi chú"],
            ["Nguyễn Văn An", 1970, "Nam", "001070000777", "Thôn C1", "Đã đối chiếu CCCD"]]
    imported(client, xlsx(rows))
    db.session.expire_all()
    assert db.session.get(Household, existing.id).note == "Đã đối chiếu CCCD"
    assert counts(db)["households"] == before["households"]


def test_dry_run_writes_nothing(login_as, db):
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, layout_households(), "ds.xlsx"))
    check(client, batch_id)
    before = counts(db)
    response = commit(client, batch_id, dry_run=True, htmx=True)
    assert "Chạy thử thành công" in page_text(response)
    assert counts(db) == before
    assert db.session.get(ImportBatch, batch_id).state == "previewed"
    commit(client, batch_id)
    assert counts(db)["households"] == before["households"] + 2


def refused_upload(client, db, data, name):
    before = counts(db)
    response = upload(client, data, name)
    assert response.status_code == 422
    assert counts(db) == before
    return page_text(response)


@pytest.mark.parametrize("make, name, words", [
    (files.truncated, "ds.xlsx", "Tệp không phải là tệp Excel .xlsx hợp lệ"),
    (files.text_renamed, "ds.xlsx", "Tệp không phải là tệp Excel .xlsx hợp lệ"),
    (files.billion_laughs, "ds.xlsx", "Tệp Excel chứa khai báo XML không được phép"),
    (files.huge_dimension, "ds.xlsx", "Trang tính khai báo kích thước quá lớn"),
    (files.with_macros, "ds.xlsx", "Tệp có macro (VBA) không được nhận"),
    (files.corrupted_part, "ds.xlsx", "Tệp Excel bị hỏng, không đọc được"),
    (files.good, "ds.xlsm", "Tệp có macro (xlsm) không được nhận"),
    (lambda: b"", "ds.xlsx", "Tệp rỗng"),
    (lambda: xlsx([[]]), "ds.xlsx", "Tệp không có dữ liệu"),
    (lambda: xlsx([["Họ và tên chủ hộ", "Năm sinh", "Thôn"]]), "ds.xlsx",
     "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào"),
    (lambda: xlsx([["Số thứ tự", "Ghi nhận"], [1, "x"]]), "ds.xlsx", "Không tìm thấy dòng tiêu đề cột"),
    (lambda: "Họ và tên chủ hộ;Năm sinh\n".encode(), "ds.csv",
     "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào"),
])
def test_bad_files_refused_at_upload_nothing_written(make, name, words, login_as, db, upload_dir):
    client = login_as("commune1")
    assert words in refused_upload(client, db, make(), name)
    assert not upload_dir.exists() or not list(upload_dir.rglob("*.xlsx"))


def test_zip_bomb_refused_at_upload(login_as, db, app):
    client = login_as("commune1")
    app.config["IMPORT_MAX_UNCOMPRESSED"] = 2 * 1024 * 1024
    try:
        assert "khi giải nén quá lớn" in refused_upload(client, db, files.zip_bomb(3 * 1024 * 1024), "ds.xlsx")
    finally:
        del app.config["IMPORT_MAX_UNCOMPRESSED"]


def checked_with_errors(client, db, data, **options):
    batch_id = batch_id_of(upload(client, data, "ds.xlsx"))
    before = counts(db)
    response = check(client, batch_id, htmx=True, **options)
    assert response.status_code == 200
    _, result = result_of(db, batch_id)
    assert result["errors"] > 0
    response = commit(client, batch_id, htmx=True)
    assert response.status_code == 409 and "không còn lỗi" in page_text(response)
    assert counts(db) == before
    return batch_id, result, page_text(client.get(f"/imports/{batch_id}"))


def test_bad_dates_listed_by_row_and_column(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Ngày sinh", "Giới tính", "Thôn", "Hạn thẻ BHYT"],
            ["Trần Văn Bảy", "31/02/1958", "Nam", "Thôn Đông", None],
            ["Lê Thị Tám", "12/03/58", "Nữ", "Thôn Đông", None],
            ["Phạm Văn Mười", "12/03/2099", "Nam", "Thôn Đông", "hôm qua"]]
    _, result, text = checked_with_errors(client, db, xlsx(rows))
    found = {(r, f, m) for r, f, level, m in messages(result) if level == "e"}
    assert (2, "birth_date", "Ngày 31/02/1958 không có: tháng 2 năm 1958 chỉ có 28 ngày.") in found
    assert (3, "birth_date", "Năm phải đủ 4 chữ số (dd/mm/yyyy): “12/03/58”.") in found
    assert (4, "birth_date", "Ngày không được ở tương lai.") in found
    assert (4, "health_insurance_expiry", "Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy: “hôm qua”.") in found
    assert "B · Ngày sinh" in text and "Năm phải đủ 4 chữ số" in text


def test_duplicate_cccd_in_the_file_and_against_the_database(login_as, db, world):
    client = login_as("commune1")
    spouse = db.session.scalar(select(Member).where(Member.household_id == world.households["C2"],
                                                    Member.relationship_code == "spouse"))
    spouse.id_number = "001172000999"          # a person of another commune already has it
    db.session.commit()
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD", "Thôn"],
            ["Trần Văn Bảy", 1958, "Nam", "001058000123", "Thôn Đông"],
            ["Trần Văn Bẩy", 1958, "Nam", "001058000123", "Thôn C1"],
            ["Vũ Thị Hà", 1972, "Nữ", "001172000999", "Thôn C1"]]
    _, result, _ = checked_with_errors(client, db, xlsx(rows))
    found = {(r, f, m) for r, f, level, m in messages(result) if level == "e"}
    assert (3, "id_number", "Số CCCD trùng với dòng 2.") in found
    assert (4, "id_number", "Số CCCD này đã thuộc một người khác trong hệ thống.") in found


def test_hamlet_outside_the_users_scope_is_rejected(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn C3"],        # a hamlet of another district
            ["Lê Thị Tám", 1960, "Nữ", "Thôn Đông"]]
    _, result, _ = checked_with_errors(client, db, xlsx(rows))
    assert [(r, f, m) for r, f, level, m in messages(result) if level == "e"] == [
        (2, "hamlet", "Không tìm thấy thôn “Thôn C3” trong địa bàn của bạn.")]


def test_default_hamlet_from_another_commune_is_not_found(login_as, db, world):
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, xlsx([["Họ và tên chủ hộ", "Năm sinh", "Giới tính"],
                                                ["Trần Văn Bảy", 1958, "Nam"]]), "ds.xlsx"))
    before = counts(db)
    response = check(client, batch_id, hamlet_id=world.units["H3"])
    assert response.status_code == 404
    assert counts(db) == before


def test_review_rules_of_the_year_apply(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Thu nhập bình quân",
             "Chỉ số thiếu hụt", "Phân loại"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông", 1_200_000, "1", "Hộ nghèo"],   # computes near-poor
            ["Lê Thị Tám", 1960, "Nữ", "Thôn Đông", None, "1, 2, 3", "Hộ nghèo"],
            ["Phạm Văn Mười", 1961, "Nam", "Thôn Đông", 1_000_000, "1, 99", "Hộ nghèo"]]
    _, result, _ = checked_with_errors(client, db, xlsx(rows))
    found = {(r, f, m) for r, f, level, m in messages(result) if level == "e"}
    assert (2, "status", "Phân loại được quyết định khác với kết quả tính theo chuẩn (Hộ cận "
                         "nghèo): cần ghi lý do.") in found
    assert (3, "income", "Nhập thu nhập bình quân hoặc điểm A.") in found
    assert any(r == 4 and f == "deprivations" and "“99” không thuộc chuẩn nghèo" in m
               for r, f, m in found)


def test_status_needs_a_decision(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Thu nhập bình quân", "Phân loại"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông", 1_200_000, "Hộ cận nghèo"]]
    _, result, _ = checked_with_errors(client, db, xlsx(rows), decision=("", None),
                                       decision_date="")
    assert [m for r, f, level, m in messages(result) if level == "e"] == [
        "Cần số và ngày quyết định công nhận của UBND xã (cột trong tệp, hoặc nhập cho cả tệp)."]


def test_member_form_rules_apply(login_as, db):
    client = login_as("commune1")
    rows = [["Mã hộ", "Họ tên", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính", "Số CCCD",
             "Số thẻ BHYT", "Dân tộc", "Người có công", "Thôn"],
            ["A1", "Trần Văn Bảy", "Chủ hộ", 1958, "Nam", "001158000123", "12345", "Kinh", "g", "Thôn Đông"],
            ["A1", "Ngô Thị Hoa", "Bạn", 1960, "Nữ", None, None, "Người sao Hỏa", "z", None],
            ["A2", "Lê Văn Tư", "Con", 1990, None, None, None, None, None, "Thôn Đông"]]
    _, result, _ = checked_with_errors(client, db, xlsx(rows))
    found = {(r, f, m) for r, f, level, m in messages(result)}
    assert (2, "id_number", "Số CCCD không khớp với giới tính và năm sinh (số thứ 4 là mã thế "
                            "kỷ/giới tính, số thứ 5–6 là hai số cuối năm sinh).") in found
    assert (2, "health_insurance_number", "Số thẻ BHYT gồm 10 chữ số (mã BHXH) hoặc 2 chữ cái và "
                                          "13 chữ số.") in found
    assert (2, "merit_relation", "Chưa ghi quan hệ với người có công: ghi là “Bản thân”.") in found
    assert (3, "relationship", "Quan hệ với chủ hộ “Bạn” không có trong danh mục.") in found
    assert (3, "ethnicity", "Dân tộc “Người sao Hỏa” không có trong danh mục.") in found
    assert (3, "merit_category", "Diện người có công “z” không có trong danh mục (a–m).") in found
    assert (4, "sex", "Thiếu giới tính (cột Giới tính, hoặc năm sinh ghi ở cột Nam/Nữ).") in found
    assert (4, "relationship", "Mỗi hộ phải có đúng một chủ hộ (hộ này có 0).") in found


def test_saved_mapping_is_applied_to_the_same_headings(login_as, db):
    client = login_as("commune1")
    rows = [["Tên người đứng tên hộ", "Năm sinh", "Giới tính", "Thôn"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông"]]
    batch_id = batch_id_of(upload(client, xlsx(rows), "ds.xlsx"))
    response = check(client, batch_id, overrides={"col_0": "head_name"},
                     mapping_name="Danh sách thôn 2024")
    assert response.status_code == 303
    saved = db.session.scalar(select(ImportMapping).where(ImportMapping.name == "Danh sách thôn 2024"))
    assert saved.mapping["ten nguoi dung ten ho"] == "head_name"
    again = batch_id_of(upload(client, xlsx(rows), "nam-sau.xlsx"))
    text = page_text(client.get(f"/imports/{again}"))
    assert "Đã áp dụng cách ghép cột đã lưu “Danh sách thôn 2024”" in text
    response = check(client, again)
    _, result = result_of(db, again)
    assert result["errors"] == 0 and result["households_create"] == 1


def test_mapping_errors_are_shown_in_place(login_as, db):
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, layout_households(), "ds.xlsx"))
    response = check(client, batch_id, htmx=True, overrides={"col_2": "", "col_6": "hamlet"})
    assert response.status_code == 422
    text = page_text(response)
    assert "Cần ghép một cột với “Họ và tên” hoặc “Họ tên chủ hộ”." in text
    assert "“Thôn/tổ dân phố” được chọn cho nhiều cột" in text


def test_template_downloads_and_imports_cleanly(login_as, db):
    client = login_as("commune1")
    response = client.get("/imports/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    batch_id = batch_id_of(upload(client, response.get_data(), "mau.xlsx"))
    check(client, batch_id)
    _, result = result_of(db, batch_id)
    assert result["errors"] == 0, messages(result)
    assert (result["households_create"], result["members_create"], result["reviews_create"]) == (1, 2, 1)


def test_csv_upload(login_as, db):
    client = login_as("commune1")
    data = ("Họ và tên chủ hộ;Năm sinh;Giới tính;Thôn;Thu nhập bình quân;Chỉ số thiếu hụt;Phân loại\n"
            "Trần Văn Bảy;1958;Nam;Thôn Đông;1.200.000;1, 9, 10;Hộ nghèo\n").encode("utf-8-sig")
    before = counts(db)
    imported(client, data, "ds.csv")
    assert counts(db)["households"] == before["households"] + 1


def test_other_commune_cannot_reach_a_batch(login_as, db, client):
    owner = login_as("commune1")
    batch_id = batch_id_of(upload(owner, layout_households(), "ds.xlsx"))
    owner.post("/logout", data={"csrf_token": owner.csrf()})
    other = login_as("commune3")
    before = counts(db)
    assert other.get(f"/imports/{batch_id}").status_code == 404
    assert other.get(f"/imports/{batch_id}/progress").status_code == 404
    assert other.form(f"/imports/{batch_id}/check", {"year": YEAR}).status_code == 404
    assert other.form(f"/imports/{batch_id}/commit", {}).status_code == 404
    assert counts(db) == before
    assert db.session.get(ImportBatch, batch_id).state == "uploaded"


def test_the_years_review_on_a_matched_household_and_its_path(login_as, db, world):
    """Nguyễn Văn An's household was decided poor in 2023 (tests/conftest). A near-poor review
    this year is an escape; importing the year again with other figures updates that review."""
    client = login_as("commune1")
    head = ["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Thu nhập bình quân",
            "Chỉ số thiếu hụt", "Phân loại"]
    imported(client, xlsx([head, ["Nguyễn Văn An", 1970, "Nam", "Thôn C1", "1.400.000", "1",
                                  "Hộ cận nghèo"]]))
    db.session.expire_all()
    household = db.session.get(Household, world.households["C1"])
    assert (household.status, household.status_year, household.last_transition) == (
        "near_poor", YEAR, "escaped")
    reviews = {r.year: r for r in db.session.scalars(select(Review).where(
        Review.household_id == household.id))}
    assert reviews[2023].transition == "newly_poor" and reviews[YEAR].transition == "escaped"
    batch_id = imported(client, xlsx([head, ["Nguyễn Văn An", 1970, "Nam", "Thôn C1", "2.500.000",
                                             None, "Hộ không nghèo"]]))
    _, result = result_of(db, batch_id)
    assert (result["reviews_update"], result["reviews_create"]) == (1, 0)
    assert any("đã có kết quả rà soát năm" in m[3] for m in messages(result))
    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.household_id == household.id,
                                                    Review.year == YEAR))
    assert (review.income_per_capita, review.decided_status, review.deprivations, review.version) == (
        2_500_000, "not_poor", [], 2)
    household = db.session.get(Household, world.households["C1"])
    assert (household.status, household.exit_year, household.last_transition) == (
        "not_poor", YEAR, "escaped")


def test_import_pages_in_english(login_as, db):
    client = login_as("commune1")
    client.form("/language", {"lang": "en", "next": "/imports/"})
    assert "Import a list from Excel" in page_text(client.get("/imports/"))
    response = upload(client, files.text_renamed(), "ds.xlsx")
    assert "The file is not a valid Excel .xlsx file" in page_text(response)
    batch_id = batch_id_of(upload(client, xlsx([["Họ và tên chủ hộ", "Ngày sinh", "Giới tính", "Thôn"],
                                                ["Trần Văn Bảy", "31/02/1958", "Nam", "Thôn Đông"]]),
                                  "ds.xlsx"))
    text = page_text(check(client, batch_id, htmx=True))
    assert "Step 3: Check results" in text and "B · Ngày sinh" in text


def test_repeated_codes_without_relationship_column_are_members(login_as, db):
    client = login_as("commune1")
    rows = [["Mã hộ", "Họ và tên", "Năm sinh", "Giới tính", "Thôn"],
            ["NK-05", "Đinh Văn Năm", 1970, "Nam", "Thôn Đông"],
            ["NK-05", "Đinh Thị Sáu", 1995, "Nữ", None],
            ["NK-06", "Hà Thị Bảy", 1980, "Nữ", "Thôn C1"]]
    batch_id = imported(client, xlsx(rows))
    _, result = result_of(db, batch_id)
    assert result["mode"] == "member" and result["households_create"] == 2
    assert any("dòng đầu của mỗi hộ được coi là chủ hộ" in m[3] for m in messages(result))
    household = db.session.scalar(select(Household).where(Household.code == "NK-05"))
    assert [(m.full_name, m.relationship_code) for m in household.members] == [
        ("Đinh Văn Năm", "head"), ("Đinh Thị Sáu", "other")]


def test_indicator_mark_columns_merit_and_health_insurance(login_as, db):
    """A third layout: one column of marks per indicator under a merged "Chỉ số thiếu hụt"
    heading; người có công by name; a BHYT card and its expiry."""
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn", "Người có công", "Số thẻ BHYT",
             "Hạn thẻ BHYT", "Thu nhập bình quân", "Chỉ số thiếu hụt", None, None, "Phân loại"],
            [None] * 8 + ["Việc làm", "Nguồn nước sinh hoạt", "Nhà tiêu hợp vệ sinh"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông", "Thương binh", "HN4380123456789",
             f"31/12/{YEAR}", 1_200_000, "x", "x", "X", "Hộ nghèo"]]
    merges = ["I1:K1"] + [f"{c}1:{c}2" for c in "ABCDEFGHL"]
    batch_id = imported(client, xlsx(rows, merges=merges))
    _, result = result_of(db, batch_id)
    assert result["errors"] == 0 and result["reviews_create"] == 1
    household = db.session.scalar(select(Household).where(Household.head_name == "Trần Văn Bảy"))
    head = household.members[0]
    assert (head.merit_category, head.merit_relation, head.health_insurance_number,
            head.health_insurance_expiry) == ("g", "self", "HN4380123456789", date(YEAR, 12, 31))
    assert household.has_merit_member and household.status == "poor"
    review = db.session.scalar(select(Review).where(Review.household_id == household.id))
    assert sorted(i.code for i in review.deprivations) == ["employment", "latrine", "water"]


def test_totals_and_signatures_are_told_from_people(login_as, db):
    client = login_as("commune1")
    rows = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn"],
            ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông"],
            ["Cộng Văn Thành", None, "Nam", "Thôn Đông"],       # a surname, not a totals row
            ["Cộng: 2 hộ"],
            ["Xã Một, ngày 20 tháng 12 năm 2024"],
            ["Người lập biểu", None, None, "Chủ tịch"]]
    _, result, _ = checked_with_errors(client, db, xlsx(rows))
    assert [(r, f, m) for r, f, level, m in messages(result) if level == "e"] == [
        (3, "birth_year", "Nhập ngày sinh hoặc năm sinh.")]
    assert result["skipped"] == 3
    assert any(m == "Bỏ qua phần cuối bảng (chữ ký, xác nhận) từ dòng 5." for _, _, _, m in messages(result))
