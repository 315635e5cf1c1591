"""The checked file given back with its errors: the uploaded sheet, row for row (the row
numbers of the check's messages stay true), with one more column "Lỗi" naming each problem of
the row by column — the officer fixes the file in Excel and uploads it again."""
import tempfile
from collections import defaultdict
from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_babel import gettext as translate   # of messages marked N_() where they are raised
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.core.excel import _ILLEGAL, FORMULA_START

RED = Font(color="C00000", bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def messages_by_row(result: dict, columns: dict) -> dict[int, list[str]]:
    """Row → its problems as the preview lists them ("B · Ngày sinh: …"), errors first."""
    out = defaultdict(list)
    for issue in sorted(result.get("issues") or [], key=lambda i: (i["r"] or 0, i["l"] != "e")):
        text = translate(issue["m"], **issue["a"]) if issue["a"] else translate(issue["m"])
        col = columns.get(issue["f"])
        where = f"{col[0]} · {col[1]}: " if col else ""
        level = "" if issue["l"] == "e" else _("Cảnh báo") + ": "
        out[issue["r"] or 0].append(f"{level}{where}{text}")
    return out


def _cell(ws, value, font=None):
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
    elif value is not None and not isinstance(value, (int, float, datetime)):
        value = str(value)
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"          # text, never a formula
    if isinstance(value, datetime):
        cell.number_format = "dd/mm/yyyy"
    if font is not None:
        cell.font, cell.alignment = font, WRAP
    return cell


def error_workbook(rows, header_rows: list[int], width: int, by_row: dict[int, list[str]],
                   sheet_name: str):
    """A temporary file: `rows` ((number, values) of the sheet) written at their own row
    numbers, with the problems of each row in the column after the last (`width`: the widest
    row's length, so no value of the file is lost or covered)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet((sheet_name or "Danh sách")[:31])
    ws.column_dimensions[get_column_letter(width + 1)].width = 60
    written, last = 0, header_rows[-1] if header_rows else 1
    for number, values in rows:
        while written < number - 1:
            ws.append([])
            written += 1
        cells = [_cell(ws, v) for v in values] + [_cell(ws, None) for _ in range(width - len(values))]
        if number in header_rows:
            extra = _cell(ws, _("Lỗi") if number == last else None, RED)
        else:
            extra = _cell(ws, "\n".join(by_row.get(number, ())) or None, RED)
        ws.append(cells + [extra])
        written = number
    out = tempfile.TemporaryFile()
    wb.properties.modified = datetime.now(tz=timezone.utc).replace(tzinfo=None)
    wb.save(out)
    out.seek(0)
    return out

