"""Reading uploads safely: each bad file is refused with its own Vietnamese message before (or
while) anything is parsed; good ones give their rows, formulas as their cached values."""
import codecs
import random
import re
from datetime import datetime

import openpyxl
import pytest

from app.core.text import fold as core_fold
from app.imports import convert, mapping
from app.imports.reader import Limits, Refused
from app.imports.tables import open_table
from tests.imports import files
from tests.imports.conftest import xlsx


def refusal(data, name="ds.xlsx", limits=Limits()) -> str:
    with pytest.raises(Refused) as caught:
        table = open_table(data, name, limits)
        list(table.rows())
    return caught.value.message % caught.value.args_


def test_openpyxl_reads_xml_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize("data, name, words", [
    (files.truncated(), "ds.xlsx", "không phải là tệp Excel .xlsx hợp lệ"),
    (files.text_renamed(), "ds.xlsx", "không phải là tệp Excel .xlsx hợp lệ"),
    (b"", "ds.xlsx", "Tệp rỗng"),
    (files.good(), "ds.xlsm", "Tệp có macro (xlsm)"),
    (files.good(), "ds.xls", "Định dạng .xls không được hỗ trợ"),
    (files.good(), "ds.pdf", "Chỉ nhận tệp Excel .xlsx hoặc tệp .csv"),
    (files.with_macros(), "ds.xlsx", "Tệp có macro (VBA)"),
    (files.billion_laughs(), "ds.xlsx", "khai báo XML không được phép"),
    (files.huge_dimension(), "ds.xlsx", "kích thước quá lớn (A1:XFD1048576)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "ds.xlsx", "đặt mật khẩu hoặc ở định dạng .xls cũ"),
    (files.good(), "ds.csv", "không phải .csv"),
    (files.corrupted_part(), "ds.xlsx", "Tệp Excel bị hỏng, không đọc được"),
])
def test_bad_files_are_refused_with_a_clear_message(data, name, words):
    assert words in refusal(data, name)


def test_entity_declarations_are_refused_by_the_parser_too():
    """A DOCTYPE pushed past the quick scan of the first bytes still meets the parser's guard."""
    data = files.billion_laughs(padding=10_000)
    assert "khai báo XML không được phép" in refusal(data)


def test_zip_limits_are_checked_before_opening():
    small = Limits(max_uncompressed=1024 * 1024)
    assert "khi giải nén quá lớn" in refusal(files.zip_bomb(3 * 1024 * 1024), limits=small)
    assert "tỉ lệ nén bất thường" in refusal(files.zip_bomb(3 * 1024 * 1024))
    assert "quá nhiều thành phần" in refusal(files.many_entries(30), limits=Limits(max_entries=20))
    assert "quá lớn (" in refusal(files.good(), limits=Limits(max_bytes=1000))


def test_row_and_column_limits_hold_while_reading():
    rows = [["Họ và tên", "Năm sinh"]] + [[f"Người {i}", 1960] for i in range(150)]
    data = xlsx(rows)
    assert "kích thước quá lớn (A1:B151)" in refusal(data, limits=Limits(max_rows=10))
    undeclared = re.sub(r"<dimension [^>]*/>", "", files.sheet_xml(data))
    data = files.replace_part(data, "xl/worksheets/sheet1.xml", undeclared.encode())
    assert "quá nhiều dòng" in refusal(data, limits=Limits(max_rows=10))
    wide = xlsx([["Họ và tên"] + [f"Cột {i}" for i in range(12)]])
    undeclared = re.sub(r"<dimension [^>]*/>", "", files.sheet_xml(wide))
    wide = files.replace_part(wide, "xl/worksheets/sheet1.xml", undeclared.encode())
    assert "quá nhiều cột" in refusal(wide, limits=Limits(max_columns=10))
    csv = ("Họ và tên,Năm sinh\n" + "".join(f"Người {i},1960\n" for i in range(150))).encode()
    assert "quá nhiều dòng" in refusal(csv, "ds.csv", limits=Limits(max_rows=10))


def test_formulas_give_their_cached_values_never_evaluated():
    table = open_table(files.formula_sheet(), "ds.xlsx", Limits())
    rows = dict(table.rows())
    assert rows[3] == ("Lê Văn Chín", 1960, "Nam", "Thôn Đông")


def test_dates_numbers_and_merged_headings_as_excel_keeps_them():
    data = xlsx([["DANH SÁCH"], ["Họ và tên", "Ngày sinh"], ["Trần Văn Bảy", datetime(1958, 3, 12)],
                 ["Lê Thị Tám", 21256]], merges=["A1:B1"], formats={"B4": "General"})
    rows = dict(open_table(data, "ds.xlsx", Limits()).rows())
    assert rows[1] == ("DANH SÁCH",)
    assert rows[3] == ("Trần Văn Bảy", datetime(1958, 3, 12))
    assert rows[4] == ("Lê Thị Tám", 21256)          # a serial number the converter reads as a date
    assert convert.day(rows[4][1]).isoformat() == "1958-03-12"


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8),
                                          ("cp1258", b""), ("utf-16", b"")])
def test_csv_in_the_encodings_vietnamese_excel_writes(encoding, bom):
    """Windows-1258 writes tone marks as combining characters (Thi + U+0323): read back as the
    usual letters (NFC)."""
    text = "Ho\u0323 và tên;Năm sinh;Thôn\nBùi Thi\u0323 Tâm;1960;Thôn Đông\n"
    data = bom + text.encode(encoding)
    rows = list(open_table(data, "ds.csv", Limits()).rows())
    assert rows[1][1] == ("Bùi Thị Tâm", "1960", "Thôn Đông")


def test_fast_fold_is_core_fold():
    rng = random.Random(7)
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩị" \
               "óòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ  \t\xa0'-()/.1Æ\u0301"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        assert convert.fold(text) == core_fold(text), repr(text)


def test_header_found_under_titles_with_a_two_row_heading():
    rows = [(1, ("UBND XÃ MỘT",)), (2, ("DANH SÁCH HỘ NGHÈO NĂM 2024",)), (3, ()),
            (4, ("STT", "Họ và tên chủ hộ", "Năm sinh", None, "Số CCCD", "Thôn")),
            (5, (None, None, "Nam", "Nữ")), (6, ("(1)", "(2)", "(3)", "(4)", "(5)", "(6)")),
            (7, (1, "Trần Văn Bảy", 1958, None, "001058000123", "Thôn Đông"))]
    header = mapping.detect_header(rows, mapping.FIELDS)
    assert header.rows == [4, 5] and header.data_from == 7
    assert header.suggested == {1: "head_name", 2: "birth_year_male", 3: "birth_year_female",
                                4: "id_number", 5: "hamlet"}


@pytest.mark.parametrize("heading, field", [
    ("Họ và tên chủ hộ", "head_name"), ("Tên chủ hộ", "head_name"), ("Số CCCD", "id_number"),
    ("Căn cước công dân", "id_number"), ("Số CMND/CCCD", "id_number"), ("Ngày sinh", "birth_date"),
    ("Ngày, tháng, năm sinh", "birth_date"), ("Năm sinh", "birth_year"), ("Dân tộc", "ethnicity"),
    ("Thôn", "hamlet"), ("Thôn/xóm", "hamlet"), ("Mã hộ", "household_code"),
    ("Quan hệ với chủ hộ", "relationship"), ("Số thẻ BHYT", "health_insurance_number"),
    ("Hạn sử dụng thẻ BHYT", "health_insurance_expiry"), ("Diện người có công", "merit_category"),
    ("Thu nhập bình quân (đồng/người/tháng)", "income"), ("Phân loại hộ", "status"),
    ("Số CCCD chủ hộ", "id_number"), ("Năm sinh chủ hộ", "birth_year")])
def test_headings_suggest_fields(heading, field):
    assert mapping.suggest([heading], mapping.FIELDS) == {0: field}
