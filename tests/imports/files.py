"""The corpus of bad files, built here: each is a small variation of a valid workbook."""
import io
import random
import zipfile

from tests.imports.conftest import xlsx

GOOD_ROWS = [["Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Thôn"],
             ["Trần Văn Bảy", 1958, "Nam", "Thôn Đông"]]

def _laughs() -> str:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<!DOCTYPE lolz [{"".join(entities)}]>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Năm sinh</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c><c r="B2"><v>1958</v></c>'
            '</row></sheetData></worksheet>')


LAUGHS = _laughs()


def replace_part(data: bytes, name: str, content: bytes | None = None, extra: dict | None = None) -> bytes:
    """The same zip with part `name` replaced (or dropped when None) and `extra` parts added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == name:
                if content is not None:
                    target.writestr(name, content)
            else:
                target.writestr(info, source.read(info.filename))
        for extra_name, extra_content in (extra or {}).items():
            target.writestr(extra_name, extra_content)
    return out.getvalue()


def good() -> bytes:
    return xlsx(GOOD_ROWS)


def sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def truncated() -> bytes:
    data = good()
    return data[: len(data) // 2]


def text_renamed() -> bytes:
    return "Họ và tên;Năm sinh\nTrần Văn Bảy;1958\n".encode()


def billion_laughs(padding: int = 0) -> bytes:
    """An otherwise valid workbook whose sheet1.xml declares nested entities. `padding` puts a
    comment that long before the DOCTYPE (past the quick scan of the first bytes)."""
    xml = LAUGHS
    if padding:
        xml = xml.replace("\n<!DOCTYPE", "\n<!--" + "x" * padding + "-->\n<!DOCTYPE", 1)
    return replace_part(good(), "xl/worksheets/sheet1.xml", xml.encode())


def huge_dimension() -> bytes:
    data = good()
    xml = sheet_xml(data)
    xml = xml.replace('<dimension ref="A1:D2"', '<dimension ref="A1:XFD1048576"')
    assert "XFD1048576" in xml
    return replace_part(data, "xl/worksheets/sheet1.xml", xml.encode())


def with_macros() -> bytes:
    data = good()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    types = types.replace("</Types>", '<Default Extension="bin" ContentType="application/'
                                      'vnd.ms-office.vbaProject"/></Types>')
    data = replace_part(data, "[Content_Types].xml", types.encode())
    return replace_part(data, "xl/vbaProject.bin", None, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})


def zip_bomb(size: int) -> bytes:
    """A valid workbook with one more part of `size` zero bytes (compresses ~1000:1)."""
    return replace_part(good(), "docProps/zeros.bin", None, {"docProps/zeros.bin": b"\0" * size})


def many_entries(n: int) -> bytes:
    return replace_part(good(), "x", None, {f"docProps/extra{i}.xml": b"<a/>" for i in range(n)})


def formula_sheet() -> bytes:
    """Cells with formulas and cached values, as Excel saves them."""
    data = good()
    xml = sheet_xml(data)
    row = ('<row r="3"><c r="A3" t="str"><f>HYPERLINK("http://evil.example","Lê Văn Chín")</f>'
           '<v>Lê Văn Chín</v></c><c r="B3"><f>1900+60</f><v>1960</v></c>'
           '<c r="C3" t="inlineStr"><is><t>Nam</t></is></c>'
           '<c r="D3" t="inlineStr"><is><t>Thôn Đông</t></is></c></row>')
    xml = xml.replace("</sheetData>", row + "</sheetData>").replace("A1:D2", "A1:D3")
    return replace_part(data, "xl/worksheets/sheet1.xml", xml.encode())


def corrupted_part() -> bytes:
    """The zip's directory intact, the compressed bytes of the sheet damaged (a bad sector, a
    broken transfer): found when the part is read."""
    data = bytearray(xlsx(GOOD_ROWS + [[f"Người {i}", 1960, "Nam", "Thôn Đông"] for i in range(300)]))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 200, start + info.compress_size - 200, 97):
        data[i] ^= 0x5A
    return bytes(data)


# Small on the wire, huge once read -------------------------------------------------------------

SHEET = "xl/worksheets/sheet1.xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def filler(size: int):
    """`size` bytes of ASCII text in pieces, compressing about 90:1 at level 1 (under the
    zip-bomb ratio, like the probe's file): long runs with a random letter now and then."""
    rng = random.Random(size)
    letters = "abcdefghijklmnopqrstuvwyz"
    block = "".join("x" * 340 + rng.choice(letters) for _ in range(1000)).encode()
    whole, rest = divmod(size, len(block))
    for _ in range(whole):
        yield block
    yield block[:rest]


def streamed(data: bytes, parts: dict) -> bytes:
    """The same zip with `parts` (name → pieces: bytes or iterables of bytes) written piece by
    piece at compression level 1, so a part of hundreds of MB is never held whole."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info, source.read(info.filename))
        for name, pieces in parts.items():
            with target.open(name, "w") as part:
                for piece in pieces:
                    for chunk in ([piece] if isinstance(piece, bytes) else piece):
                        part.write(chunk)
    return out.getvalue()


def long_text(data: bytes, marker: str, pieces: list, shared: bool = False) -> bytes:
    """The workbook `data` (from conftest.xlsx, which writes inline strings) with the cell whose
    text is `marker` holding `pieces` instead: inline, or as the one shared string (then every
    cell holding `marker` refers to it)."""
    xml = sheet_xml(data)
    inline = f't="inlineStr"><is><t>{marker}</t></is>'
    assert xml.count(inline) == 1 or shared and inline in xml
    if not shared:
        head, tail = xml.split(f"<t>{marker}</t>")
        return streamed(data, {SHEET: [f"{head}<t>".encode(), *pieces, f"</t>{tail}".encode()]})
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    types = types.replace("</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                      f'ContentType="{STRINGS_TYPE}"/></Types>')
    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
               'uniqueCount="1"><si><t>')
    return streamed(data, {SHEET: [xml.replace(inline, 't="s"><v>0</v>').encode()],
                           "[Content_Types].xml": [types.encode()],
                           "xl/sharedStrings.xml": [strings.encode(), *pieces, b"</t></si></sst>"]})
