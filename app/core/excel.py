"""Excel exports: openpyxl write-only (streaming, constant memory), official-looking header,
Vietnamese number formats, and text cells that can never become formulas."""
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side

# Characters that make a spreadsheet treat text as a formula (also when the user edits it).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FORMATS = {"int": "#,##0", "vnd": "#,##0", "percent": "0.00", "date": "dd/mm/yyyy", "text": "@"}


@dataclass
class Column:
    heading: str
    kind: str = "text"        # text, int, vnd, percent (a number like 1.36), date
    width: int = 14


@dataclass
class Sheet:
    title: str                          # sheet tab (≤ 31 chars)
    heading_lines: Sequence[str]        # title, unit, period… above the table
    columns: Sequence[Column]
    rows: Iterable[Sequence]            # streamed: a generator is fine
    totals: Sequence | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def cell(ws, value, kind: str = "text", bold: bool = False, border: bool = True):
    c = WriteOnlyCell(ws, value=_clean(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        c.data_type = "s"                      # stored as text: never evaluated
        if value.startswith(FORMULA_START):
            c.quotePrefix = True               # and stays text when edited in Excel
    elif value is not None and kind in FORMATS:
        c.number_format = FORMATS[kind]
    if bold:
        c.font = Font(bold=True)
    if border:
        c.border = BOX
    return c


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def write_sheet(wb: Workbook, sheet: Sheet):
    ws = wb.create_sheet(title=_clean(sheet.title)[:31] or "Sheet")
    for i, col in enumerate(sheet.columns):
        ws.column_dimensions[_letter(i)].width = col.width
    for line in sheet.heading_lines:
        ws.append([cell(ws, line, bold=True, border=False)])
    ws.append([])
    heads = []
    for col in sheet.columns:
        c = cell(ws, col.heading, bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        heads.append(c)
    ws.append(heads)
    kinds = [col.kind for col in sheet.columns]
    for row in sheet.rows:
        ws.append([cell(ws, v, k) for v, k in zip(row, kinds)])
    if sheet.totals is not None:
        ws.append([cell(ws, v, k, bold=True) for v, k in zip(sheet.totals, kinds)])
    for note in sheet.notes:
        ws.append([cell(ws, note, border=False)])


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index + 1)


def workbook_file(sheets: Iterable[Sheet]):
    """A temporary file holding the workbook (spooled: nothing big is kept in memory)."""
    wb = Workbook(write_only=True)
    for sheet in sheets:
        write_sheet(wb, sheet)
    out = tempfile.TemporaryFile()
    wb.save(out)
    out.seek(0)
    return out


def xlsx_response(sheets: Iterable[Sheet], filename: str) -> Response:
    out = workbook_file(sheets)

    def stream():
        with out:
            while chunk := out.read(64 * 1024):
                yield chunk

    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(stream(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                                    f"filename*=UTF-8''{quote(filename)}",
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
