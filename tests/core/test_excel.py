"""Excel writer: text never becomes a formula; numbers keep their formats."""
from openpyxl import load_workbook

from app.core.excel import Column, Sheet, workbook_file


def test_text_cells_never_become_formulas_and_numbers_are_formatted():
    dangerous = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "a\x01b"]
    sheet = Sheet("Danh sách", ["DANH SÁCH HỘ", "Xã Một"], [Column("Tên"), Column("Số tiền", "vnd")],
                  rows=((name, 24_000_000) for name in dangerous), totals=["Tổng", 6 * 24_000_000])
    wb = load_workbook(workbook_file([sheet]))
    ws = wb.active
    assert ws["A1"].value == "DANH SÁCH HỘ"
    values = [ws.cell(row=r, column=1) for r in range(5, 11)]
    assert [c.value for c in values] == dangerous[:5] + ["ab"]
    assert all(c.data_type == "s" for c in values)
    assert ws.cell(row=5, column=2).value == 24_000_000
    assert ws.cell(row=5, column=2).number_format == "#,##0"
    assert ws.cell(row=11, column=2).value == 144_000_000


def _sheet(rows, **extra):
    from datetime import date
    from decimal import Decimal

    from app.core.excel import Group
    columns = [Column("TT", "int"), Column("Tên"), Column("Ngày", "date"), Column("Tỷ lệ", "percent"),
               Column("Số tiền", "vnd")]
    groups = [[Group(None), Group(None), Group("Kết quả", 3)]]
    data = rows or [(1, "=1+1", date(2024, 3, 5), Decimal("1.36"), 1_000),
                    (2, "  a & b <c>  ", None, Decimal("0.50"), -5),
                    (3, "@SUM(A1)", date(2020, 1, 1), None, True)]
    return Sheet("Biểu", ["TIÊU ĐỀ", "Xã Một"], columns, iter(data), groups=groups, **extra)


def _cells(sheet):
    ws = load_workbook(workbook_file([sheet])).active
    # An empty cell's type is immaterial (openpyxl writes "" as an empty inline string).
    return ws, [[(c.value, c.data_type if c.value is not None else None, c.number_format,
                  c.quotePrefix, c.font.b, c.border.left.style) for c in row] for row in ws.iter_rows()]


def test_group_headings_merge_like_the_official_tables():
    from app.core.excel import header_layout
    ws, _ = _cells(_sheet(None, totals=["", "Cộng", None, None, 995]))
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:E1", "A2:E2", "A4:A5", "B4:B5", "C4:E4"} <= merged
    assert [ws.cell(row=4, column=c).value for c in (1, 2, 3)] == ["TT", "Tên", "Kết quả"]
    assert [ws.cell(row=5, column=c).value for c in (3, 4, 5)] == ["Ngày", "Tỷ lệ", "Số tiền"]
    assert ws.freeze_panes == "A6" and ws.print_title_rows == "$4:$5"
    layout = header_layout(_sheet(None).columns, _sheet(None).groups)
    assert [(h.text, h.rowspan, h.colspan) for h in layout[0]] == [
        ("TT", 2, 1), ("Tên", 2, 1), ("Kết quả", 1, 3)]
    import pytest
    from app.core.excel import Group
    with pytest.raises(ValueError):
        header_layout(_sheet(None).columns, [[Group("X", 2)]])


def test_rows_keep_types_formats_and_text_safety():
    from datetime import datetime
    ws, cells = _cells(_sheet(None, totals=lambda: ["", "Cộng", None, None, 995]))
    first, second, third, totals = cells[5], cells[6], cells[7], cells[8]
    assert first[0][:3] == (1, "n", "#,##0") and first[0][5] == "thin"
    assert first[1][:2] == ("=1+1", "s") and first[1][3] is True
    assert first[2][:3] == (datetime(2024, 3, 5), "d", "dd/mm/yyyy")
    assert first[3][:3] == (1.36, "n", "0.00") and first[4][:3] == (1000, "n", "#,##0")
    assert second[1][:2] == ("  a & b <c>  ", "s") and second[1][3] is False
    assert second[2][0] is None and second[2][5] == "thin"          # empty, still boxed
    assert third[1][3] is True and third[4][:2] == (True, "b")
    assert totals[1][:2] == ("Cộng", "s") and totals[1][4] and totals[4][0] == 995


def test_openpyxl_cells_and_serialised_rows_write_the_same_workbook(monkeypatch):
    from app.core import excel

    def no_cells(*_args, **_kwargs):
        raise AssertionError("rows went through openpyxl's cells: the fast path is off")

    with monkeypatch.context() as patch:   # the serialised rows are really in use …
        patch.setattr(excel._RowXML, "cells", no_cells)
        _ws, fast = _cells(_sheet(None, totals=["", "Cộng", None, None, 995]))
    monkeypatch.setattr(excel, "RAW_ROWS", False)   # … and write what openpyxl writes
    _ws, slow = _cells(_sheet(None, totals=["", "Cộng", None, None, 995]))
    assert fast == slow
