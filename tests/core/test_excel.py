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
