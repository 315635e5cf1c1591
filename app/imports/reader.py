"""Reading an uploaded list safely: .xlsx (a zip of XML parts, see xlsx.py) or .csv, as rows
(tables.open_table picks the reader).

Refused before anything is parsed: a file too big or empty, another extension, `.xlsm`/`.xls`,
bytes that are not a zip (a renamed .txt, a truncated download), a zip with too many entries, a
declared uncompressed size out of bounds (all parts, or any one part) or a suspicious
compression ratio (a zip bomb), macros (vbaProject.bin, macro content types), a DTD or entity
declaration at the head of any XML part. zipfile never returns more of a part than its declared
size, so the declared sizes checked here bound what is read. A refusal is `Refused(msgid,
**args)`: a Vietnamese message translated where it is shown."""
import codecs
import csv
import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from app.config import Config
from app.core.i18n import N_

XLSX, CSV = "xlsx", "csv"
MB = 1024 * 1024


class Refused(Exception):
    """A file (or part of it) the importer will not read; `message` is a msgid."""

    def __init__(self, message: str, **args):
        super().__init__(message % args if args else message)
        self.message, self.args_ = message, args


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * MB             # the upload itself
    max_entries: int = 500               # parts in the zip
    max_uncompressed: int = 250 * MB     # declared, all parts together
    max_ratio: int = 200                 # uncompressed / compressed, for parts over 1 MB
    max_rows: int = 100_000              # data rows of the sheet
    max_columns: int = 200
    max_cells: int = 5_000_000           # declared dimension rows × columns; shared strings
    max_cell_chars: int = Config.IMPORT_MAX_CELL_CHARS          # one cell, one shared string
    max_part_bytes: int = Config.IMPORT_MAX_PART_BYTES          # any one part, uncompressed
    max_metadata_bytes: int = Config.IMPORT_MAX_METADATA_BYTES  # a part openpyxl reads whole

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(**{f: config[f"IMPORT_{f.upper()}"] for f in cls.__dataclass_fields__
                      if f"IMPORT_{f.upper()}" in config})


class CellError(str):
    """An Excel error value (#N/A, #DIV/0!…) in a cell: text, told apart from real text."""


# Package checks ---------------------------------------------------------------------------

MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"ms-office.vbaproject")
DTD_MARKERS = (b"<!doctype", b"<!entity")


def kind_of(filename: str) -> str:
    name = (filename or "").lower().strip()
    if name.endswith(".xlsx"):
        return XLSX
    if name.endswith(".csv"):
        return CSV
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise Refused(N_("Tệp có macro (%(ext)s) không được nhận. Hãy mở bằng Excel và lưu lại "
                         "dạng .xlsx (Excel Workbook)."), ext=name.rsplit(".", 1)[-1])
    if name.endswith((".xls", ".xlsb", ".ods")):
        raise Refused(N_("Định dạng %(ext)s không được hỗ trợ. Hãy mở bằng Excel và lưu lại dạng "
                         ".xlsx (Excel Workbook)."), ext="." + name.rsplit(".", 1)[-1])
    raise Refused(N_("Chỉ nhận tệp Excel .xlsx hoặc tệp .csv."))


def check_upload(data: bytes, filename: str, limits: Limits) -> str:
    """Refuse a file that must not be parsed at all; return its kind (xlsx or csv)."""
    kind = kind_of(filename)
    if not data:
        raise Refused(N_("Tệp rỗng (0 byte)."))
    if len(data) > limits.max_bytes:
        raise Refused(N_("Tệp quá lớn (%(size)s MB); tối đa %(max)s MB."),
                      size=f"{len(data) / MB:.1f}", max=limits.max_bytes // MB)
    if kind == XLSX:
        check_package(data, limits)
    elif data.startswith(b"PK\x03\x04"):
        raise Refused(N_("Tệp này là tệp nén (có thể là tệp Excel), không phải .csv. Nếu là tệp "
                         "Excel, hãy giữ đuôi .xlsx."))
    return kind


class Package(zipfile.ZipFile):
    """The .xlsx zip. A part read whole (`read()`: what openpyxl parses into a tree of objects,
    at some twenty times its size in memory — content types, workbook, relationships, styles) is
    held to `max_metadata_bytes`; the sheets and shared strings are streamed (xlsx.py)."""

    def __init__(self, data: bytes, limits: Limits):
        super().__init__(io.BytesIO(data))
        self.limits = limits

    def read(self, name, pwd=None):
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if info.file_size > self.limits.max_metadata_bytes:
            raise Refused(N_("Phần mô tả bảng tính (danh sách trang, định dạng) của tệp Excel quá "
                             "lớn (%(size)s MB; tối đa %(max)s MB), không được mở."),
                          size=f"{info.file_size / MB:.1f}",
                          max=self.limits.max_metadata_bytes // MB)
        return super().read(name, pwd)


def check_package(data: bytes, limits: Limits):
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused(N_("Tệp được đặt mật khẩu hoặc ở định dạng .xls cũ. Hãy bỏ mật khẩu, mở "
                         "bằng Excel và lưu lại dạng .xlsx."))
    try:
        archive = Package(data, limits)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise Refused(N_("Tệp không phải là tệp Excel .xlsx hợp lệ (tệp bị hỏng, tải về chưa hết, "
                         "hoặc chỉ được đổi đuôi thành .xlsx).")) from None
    with archive:
        if len(infos) > limits.max_entries:
            raise Refused(N_("Tệp Excel có quá nhiều thành phần (%(n)s; tối đa %(max)s)."),
                          n=len(infos), max=limits.max_entries)
        total = sum(i.file_size for i in infos)
        if total > limits.max_uncompressed:
            raise Refused(N_("Tệp Excel khi giải nén quá lớn (%(size)s MB; tối đa %(max)s MB)."),
                          size=total // MB, max=limits.max_uncompressed // MB)
        for info in infos:
            if info.file_size > limits.max_part_bytes:
                raise Refused(N_("Một trang tính hoặc một phần của tệp Excel khi giải nén quá lớn "
                                 "(%(size)s MB; tối đa %(max)s MB). Hãy chia danh sách thành nhiều "
                                 "tệp."), size=info.file_size // MB,
                              max=limits.max_part_bytes // MB)
            if info.file_size > MB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise Refused(N_("Tệp Excel có tỉ lệ nén bất thường (nghi là “bom nén”), không "
                                 "được mở."))
        names = {i.filename.lower(): i for i in infos}
        if "[content_types].xml" not in names or not any(
                n.startswith("xl/") and n.endswith(".xml") for n in names):
            raise Refused(N_("Tệp không phải là tệp Excel .xlsx hợp lệ (tệp bị hỏng, tải về chưa "
                             "hết, hoặc chỉ được đổi đuôi thành .xlsx)."))
        try:
            if any(n.endswith("vbaproject.bin") for n in names) or any(
                    m in archive.read(names["[content_types].xml"]).lower() for m in MACRO_MARKERS):
                raise Refused(N_("Tệp có macro (VBA) không được nhận. Hãy lưu lại dạng .xlsx "
                                 "(Excel Workbook) không có macro."))
            for name, info in names.items():
                if name.endswith((".xml", ".rels")) and info.file_size:
                    with archive.open(info) as part:
                        head = part.read(4096).lower()
                    if any(m in head for m in DTD_MARKERS):
                        raise Refused(N_("Tệp Excel chứa khai báo XML không được phép (DTD/thực "
                                         "thể), không được mở."))
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
            raise Refused(N_("Tệp Excel bị hỏng, không đọc được.")) from None


# Tables -----------------------------------------------------------------------------------

class Table:
    """An uploaded list: its sheets (a CSV has one) and the rows of the chosen sheet."""
    kind: str
    sheet_names: list[str]

    def rows(self, sheet: int = 0, limit: int | None = None) -> Iterator[tuple[int, tuple]]:
        raise NotImplementedError

    def estimate_rows(self, sheet: int = 0) -> int | None:
        return None


class CsvTable(Table):
    kind = CSV

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        self.text = decode_text(data)
        self.sheet_names = ["CSV"]
        first = [line for line in self.text[:20000].splitlines() if line.strip()][:20]
        self.delimiter = max((",", ";", "\t"), key=lambda d: sum(line.count(d) for line in first))

    def rows(self, sheet: int = 0, limit: int | None = None):
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        count = 0
        try:
            for values in reader:
                count += 1
                if count > self.limits.max_rows + 100:
                    raise Refused(N_("Bảng có quá nhiều dòng (tối đa %(max)s dòng dữ liệu)."),
                                  max=self.limits.max_rows)
                if len(values) > self.limits.max_columns:
                    raise Refused(N_("Bảng có quá nhiều cột (tối đa %(max)s)."),
                                  max=self.limits.max_columns)
                yield reader.line_num, tuple(v.strip() or None for v in values)
                if limit is not None and count >= limit:
                    return
        except csv.Error:
            raise Refused(N_("Tệp .csv không đúng định dạng (dòng %(row)s)."), row=reader.line_num) from None

    def estimate_rows(self, sheet: int = 0):
        return self.text.count("\n") + 1


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else Windows-1258
    (Vietnamese Excel's CSV); NFC so combining tone marks become the usual letters."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1258", "replace")
    if "\x00" in text:
        raise Refused(N_("Tệp .csv không phải là văn bản (có ký tự nhị phân)."))
    return unicodedata.normalize("NFC", text)
