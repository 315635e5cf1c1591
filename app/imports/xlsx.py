"""The .xlsx sheet data, streamed.

openpyxl (which reads XML through defusedxml) opens the package, the workbook and the styles:
sheet names and paths, which cell styles are dates, the 1900/1904 epoch. The two big parts, the
shared strings and the sheet data, are streamed by the expat parser with the guards defusedxml
installs (a DTD, an entity declaration or an external reference raises). openpyxl's own
read-only iteration builds an ElementTree element and a cell object per value in pure Python —
about 8,000 rows/s for a 14-column list, against some 25,000 here, and the import's budget is
5,000 rows/s for everything. Formulas are never evaluated: a formula cell gives its cached value
(what `data_only=True` gives). The declared <dimension> is checked before the first row, and the
row and column limits while reading (the dimension may be absent or lie); so is the length of a
cell's text and of a shared string (the rest is never read, the long text never built), and of
any one XML token (see `_parse`)."""
import io
import pyexpat
import re
import zipfile
import zlib
from datetime import datetime

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.utils.datetime import from_excel

from app.core.i18n import N_
from app.imports.reader import XLSX, CellError, Limits, Package, Refused, Table

CHUNK = 256 * 1024
# A start tag with its attributes, a comment: expat (2.5 here) holds an unfinished token whole
# and scans it again from its start at every chunk, so one token of n bytes costs n² / CHUNK
# (a 20 MB comment: 2 s; 240 MB: minutes). Real sheets have none over a few hundred bytes.
MAX_TOKEN = 1024 * 1024
TAGS = ("row", "c", "v", "t", "is", "dimension", "si", "rPh")


class _Tags(dict):
    """Element name → local tag ("" for the ones not read). Names are taken as written
    (expat's namespace processing doubles the parse time): "c", or "x:c" when a producer
    prefixes the spreadsheet namespace; each new name is resolved once."""

    def __missing__(self, name):
        local = name.rpartition(":")[2]
        self[name] = tag = local if local in TAGS else ""
        return tag


TAG = _Tags()


def _defused_parser():
    parser = pyexpat.ParserCreate()
    parser.buffer_text = True

    def doctype(name, *_):
        raise DTDForbidden(name, None, None)

    def entity(name, *_):
        raise EntitiesForbidden(name, None, None, None, None, None)

    def external(context, base, sysid, pubid):
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    return parser


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Columns(dict):
    """Cell reference ("AB12") → column number (28), through its letters, each resolved once."""

    def __missing__(self, letters):
        self[letters] = n = _column_number(letters)
        return n


_COLUMNS = _Columns()
_DIGITS = "0123456789"


def _column(ref: str) -> int:
    return _COLUMNS[ref.rstrip(_DIGITS)]


_DIMENSION = re.compile(r"([A-Za-z]{1,3})(\d+)(?::([A-Za-z]{1,3})(\d+))?$")


def _parse(parser, chunk: bytes, final: bool, fed: int) -> int:
    """Feed one chunk; return the bytes fed so far. Refuses a token longer than MAX_TOKEN:
    after a chunk, the last event expat reported is at most a chunk and a token back."""
    parser.Parse(chunk, final)
    fed += len(chunk)
    if fed - parser.CurrentByteIndex > CHUNK + MAX_TOKEN:
        raise Refused(N_("Tệp Excel có một đoạn XML dài bất thường (hơn %(max)s MB), không được "
                         "mở."), max=MAX_TOKEN // (1024 * 1024))
    return fed


def _too_long(limits: Limits) -> Refused:
    return Refused(N_("Tệp Excel có ô chứa chữ dài quá %(max)s ký tự (giới hạn của chính Excel), "
                      "không được nhận."), max=limits.max_cell_chars)


def read_shared_strings(source, limits: Limits) -> list[str]:
    strings: list[str] = []
    buf: list[str] = []
    state = {"t": False, "rph": False, "size": 0}
    max_chars = limits.max_cell_chars
    parser = _defused_parser()

    def start(name, _attrs):
        tag = TAG[name]
        if tag == "si":
            buf.clear()
            state["size"] = 0
        elif tag == "t" and not state["rph"]:
            state["t"] = True
        elif tag == "rPh":
            state["rph"] = True

    def end(name):
        tag = TAG[name]
        if tag == "t":
            state["t"] = False
        elif tag == "rPh":
            state["rph"] = False
        elif tag == "si":
            strings.append("".join(buf))
            if len(strings) > limits.max_cells:
                raise Refused(N_("Tệp Excel có quá nhiều ô chữ."))

    def chars(data):
        if state["t"]:
            buf.append(data)
            state["size"] += len(data)
            if state["size"] > max_chars:
                raise _too_long(limits)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    fed = 0
    while chunk := source.read(CHUNK):
        fed = _parse(parser, chunk, False, fed)
    _parse(parser, b"", True, fed)
    return strings


class SheetParser:
    """Push-parses a worksheet part; `feed()` returns the rows completed so far as
    (row number, values) with values indexed from column A. The expat handlers are closures
    over local state: they run a few times per cell, so every attribute lookup counts."""

    def __init__(self, shared, date_styles: set[str], epoch, limits: Limits):
        self.shared, self.date_styles, self.epoch, self.limits = shared, date_styles, epoch, limits
        self.done: list[tuple[int, tuple]] = []
        self.fed = 0
        self.parser = p = _defused_parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self._handlers()

    def feed(self, chunk: bytes, final: bool = False):
        self.fed = _parse(self.parser, chunk, final, self.fed)
        rows = self.done[:]
        self.done.clear()   # the handlers hold this list
        return rows

    def _handlers(self):
        max_columns, max_rows = self.limits.max_columns, self.limits.max_rows + 100
        max_chars, limits = self.limits.max_cell_chars, self.limits
        value_of, done, column, tag_of = self.value, self.done, _column, TAG
        shared = self.shared
        buf: list[str] = []
        cells: dict[int, object] = {}
        row_number = col = count = size = 0
        kind = style = None
        collect = False

        def start(name, attrs):
            nonlocal row_number, col, kind, style, collect, size
            if name != "c":
                name = tag_of[name]
                if name == "v" or name == "t":
                    collect = True
                elif name == "row":
                    ref = attrs.get("r")
                    row_number = int(ref) if ref and ref.isdigit() else row_number + 1
                    col = 0
                    cells.clear()
                elif name == "dimension":
                    self.check_dimension(attrs.get("ref") or "")
                if name != "c":
                    return
            ref = attrs.get("r")
            col = column(ref) if ref else col + 1
            if col > max_columns:
                raise Refused(N_("Bảng có quá nhiều cột (tối đa %(max)s)."), max=max_columns)
            kind, style = attrs.get("t"), attrs.get("s")
            buf.clear()
            size = 0

        def end(name):
            nonlocal collect, count
            if name == "v":
                collect = False
                return
            if name != "c":
                name = tag_of[name]
            if name == "c":
                if buf:
                    text = buf[0] if len(buf) == 1 else "".join(buf)
                    if kind == "s":          # most text cells: a shared string
                        try:
                            value = shared[int(text)]
                        except (ValueError, IndexError):
                            raise Refused(N_("Tệp Excel bị hỏng, không đọc được.")) from None
                    else:
                        value = value_of(text, kind, style)
                    if value is not None and value != "":
                        cells[col] = value
            elif name == "v" or name == "t":
                collect = False
            elif name == "row":
                count += 1
                if count > max_rows:
                    raise Refused(N_("Bảng có quá nhiều dòng (tối đa %(max)s dòng dữ liệu)."),
                                  max=self.limits.max_rows)
                done.append((row_number, tuple(map(cells.get, range(1, max(cells) + 1)))
                             if cells else ()))

        def chars(data):
            nonlocal size
            if collect:
                buf.append(data)
                size += len(data)   # pieces of at most the parser's buffer_size (8 KB)
                if size > max_chars:
                    raise _too_long(limits)

        return start, end, chars

    def value(self, text: str, kind, style):
        if kind == "s":
            try:
                return self.shared[int(text)]
            except (ValueError, IndexError):
                raise Refused(N_("Tệp Excel bị hỏng, không đọc được.")) from None
        if kind == "inlineStr" or kind == "str":
            return text
        if kind == "b":
            return text.strip() == "1"
        if kind == "e":
            return CellError(text)
        if kind == "d":
            try:
                return datetime.fromisoformat(text.strip().rstrip("Z"))
            except ValueError:
                return text
        try:
            number = int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return text
        if style in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError, TypeError):
                return number
        return number

    def check_dimension(self, ref: str):
        m = _DIMENSION.match(ref.strip())
        if not m:
            return
        last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
        rows, cols = int(last_row), _column_number(last_col)
        if (rows > self.limits.max_rows + 100 or cols > self.limits.max_columns
                or rows * cols > self.limits.max_cells):
            raise Refused(N_("Trang tính khai báo kích thước quá lớn (%(ref)s): tối đa %(rows)s "
                             "dòng và %(cols)s cột."), ref=ref[:40], rows=self.limits.max_rows,
                          cols=self.limits.max_columns)


class XlsxTable(Table):
    kind = XLSX

    def __init__(self, data: bytes, limits: Limits):
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.xml.constants import SHARED_STRINGS
        self.limits = limits
        try:
            reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            reader.archive.close()
            reader.archive = Package(data, limits)   # what openpyxl reads whole, bounded
            reader.read_manifest()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
        except Refused:
            raise
        except DefusedXmlException:
            raise Refused(N_("Tệp Excel chứa khai báo XML không được phép (DTD/thực thể), không "
                             "được mở.")) from None
        except Exception:   # openpyxl raises many kinds on a broken package
            raise Refused(N_("Tệp Excel bị hỏng, không đọc được.")) from None
        self.archive = reader.archive
        self.epoch = reader.wb.epoch
        self.date_styles = {str(i) for i in getattr(reader.wb, "_date_formats", ())}
        self.sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
                       if "worksheet" in (rel.Type or "") and rel.target in reader.valid_files
                       and (sheet.state or "visible") == "visible"]
        if not self.sheets:
            raise Refused(N_("Tệp Excel không có trang tính nào."))
        self.sheet_names = [name for name, _ in self.sheets]
        strings = reader.package.find(SHARED_STRINGS)
        self.strings_path = strings.PartName[1:] if strings is not None else None
        self._shared = None

    def shared(self):
        if self._shared is None:
            self._shared = []
            if self.strings_path and self.strings_path in self.archive.namelist():
                with self.archive.open(self.strings_path) as src:
                    self._shared = self._guarded(read_shared_strings, src, self.limits)
        return self._shared

    @staticmethod
    def _guarded(fn, *args):
        try:
            return fn(*args)
        except Refused:
            raise
        except DefusedXmlException:
            raise Refused(N_("Tệp Excel chứa khai báo XML không được phép (DTD/thực thể), không "
                             "được mở.")) from None
        except (pyexpat.ExpatError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
                KeyError):
            raise Refused(N_("Tệp Excel bị hỏng, không đọc được.")) from None

    def rows(self, sheet: int = 0, limit: int | None = None):
        parser = SheetParser(self.shared(), self.date_styles, self.epoch, self.limits)
        path = self.sheets[sheet][1]
        count = 0
        with self.archive.open(path) as src:
            while True:
                chunk = self._guarded(src.read, CHUNK)
                for row in self._guarded(parser.feed, chunk, not chunk):
                    yield row
                    count += 1
                    if limit is not None and count >= limit:
                        return
                if not chunk:
                    return

    def estimate_rows(self, sheet: int = 0):
        """From the declared dimension (read from the sheet's first bytes), else None."""
        try:
            with self.archive.open(self.sheets[sheet][1]) as src:
                head = src.read(4096).decode("utf-8", "replace")
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            return None
        m = re.search(r"<(?:\w+:)?dimension\s+ref=\"([^\"]+)\"", head)
        dim = m and _DIMENSION.match(m.group(1))
        if not dim:
            return None
        return int(dim.group(4) or dim.group(2))
