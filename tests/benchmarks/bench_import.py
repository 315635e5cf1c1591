"""Benchmark of the Excel import (a command that prints figures, not a timed test).

    python -m tests.benchmarks.bench_import [--rows N] [--layout household|member]
                                            [--seed S] [--keep]

Builds a scratch SQLite database with the real migrations and a small deterministic demo
province (`app.demo.load`, for its units and the commune officer `xa1`), writes an .xlsx as
Excel writes one (shared strings, a declared dimension, title rows above a two-row heading with
merged cells, dates as date-formatted serial numbers, CCCD and BHYT numbers, the year's
classification and deprivations), then runs the real import through Flask as the browser does:
upload → the mapping page as suggested → check (the background thread, its progress polled) →
commit (the same). The goal — 5,000 rows/s end to end, validation included — applies to the
commit step, the import path proper: it reads the file again, validates every row, matches the
households and writes them in one transaction. The whole flow (upload + check + commit) is
printed beside it, with the peak memory of the process (RSS) and the rows written.
"""
import argparse
import io
import os
import random
import re
import resource
import sys
import tempfile
import time
import zipfile
from datetime import date
from xml.sax.saxutils import escape

from sqlalchemy import func, select

from app.core import clock
from app import create_app, demo
from app.config import TestConfig
from app.core.units import HAMLET, AdminUnit
from app.core.users import User
from app.extensions import db

GOAL = 5000
DEMO_PASSWORD = "demo12345"


def log(message):
    print(message, flush=True)


# An .xlsx written as Excel writes it ------------------------------------------------------

def _col(n):
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def excel_like_xlsx(title_rows, heading_rows, merges, data_rows, date_columns=()) -> bytes:
    """Cells: str → shared string, int/float → number, date → serial number with a date style."""
    strings, index = [], {}

    def sst(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    all_rows = list(title_rows) + list(heading_rows) + list(data_rows)
    width = max(len(r) for r in all_rows)
    out = []
    for r, row in enumerate(all_rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            ref = f"{_col(c)}{r}"
            if isinstance(value, date):
                serial = (value - date(1899, 12, 30)).days
                cells.append(f'<c r="{ref}" s="1"><v>{serial}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="s"><v>{sst(value)}</v></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    merge_xml = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             f'<dimension ref="A1:{_col(width)}{len(all_rows)}"/><sheetData>{"".join(out)}</sheetData>'
             f'<mergeCells count="{len(merges)}">{merge_xml}</mergeCells></worksheet>')
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              f'count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '</Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>'),
        "xl/sharedStrings.xml": shared,
        "xl/worksheets/sheet1.xml": sheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = {"M": ["Văn", "Đức", "Hữu", "Minh"], "F": ["Thị", "Ngọc", "Thu", "Thanh"]}
GIVEN = {"M": ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Long", "Nam", "Sơn", "Tuấn"],
         "F": ["Ánh", "Chi", "Dung", "Hà", "Hoa", "Lan", "Mai", "Nga", "Thảo", "Yến"]}


def household_file(rows: int, hamlets: list[str], seed: int) -> bytes:
    """One row per household: the year's list as a commune keeps it."""
    rng = random.Random(seed)
    title = [["ỦY BAN NHÂN DÂN XÃ"], [f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {clock.today().year}"], []]
    heading = [["STT", "Mã hộ", "Họ và tên chủ hộ", "Ngày sinh", "Giới tính", "Dân tộc", "Số CCCD",
                "Số thẻ BHYT", "Thôn", "Người có công", "Thu nhập bình quân (đồng/người/tháng)",
                "Chỉ số thiếu hụt", None, "Phân loại", "Ghi chú"],
               [None] * 11 + ["Các chỉ số", "Số chỉ số"] + [None] * 2]
    merges = ["A1:O1", "A2:O2", "L4:M4"] + [f"{_col(c)}4:{_col(c)}5" for c in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15)]
    data = []
    for i in range(rows):
        sex = "F" if rng.random() < 0.25 else "M"
        year = rng.randint(1940, 1995)
        born = date(year, rng.randint(1, 12), rng.randint(1, 28))
        poor = rng.random() < 0.6
        deprived = rng.sample(range(1, 13), 3 if poor else 1)
        data.append([
            i + 1, f"NK{i + 1:06d}",
            f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}", born,
            "Nam" if sex == "M" else "Nữ", "Kinh" if rng.random() < 0.8 else "Tày",
            f"001{(year // 100 - 19) * 2 + (sex == 'F')}{year % 100:02d}{i:06d}",
            f"{4200000000 + i}", rng.choice(hamlets), "Thương binh" if rng.random() < 0.03 else None,
            1_200_000 if poor else 1_400_000, ", ".join(map(str, deprived)), len(deprived),
            "Hộ nghèo" if poor else "Hộ cận nghèo", None])
    return excel_like_xlsx(title, heading, merges, data, date_columns=(4,))


def member_file(rows: int, hamlets: list[str], seed: int) -> bytes:
    """One row per member (about four per household), different heading words."""
    rng = random.Random(seed)
    heading = [["Mã số hộ", "Tên thôn", "Họ tên", "Quan hệ với chủ hộ", "Ngày tháng năm sinh",
                "Giới tính", "Dân tộc", "Số định danh cá nhân", "Thu nhập BQ", "Các chỉ số thiếu hụt",
                "Kết quả rà soát"]]
    data, i, hh = [], 0, 0
    while i < rows:
        hh += 1
        hamlet = rng.choice(hamlets)
        poor = rng.random() < 0.6
        deprived = ", ".join(map(str, rng.sample(range(1, 13), 3 if poor else 1)))
        people = set()
        for position in range(min(rng.randint(2, 6), rows - i)):
            sex = rng.choice("MF")
            year = rng.randint(1940, 1995) if position < 2 else rng.randint(1996, 2020)
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
            while (name, year) in people:     # two alike in one household: the check says so
                name += " " + rng.choice(GIVEN[sex])
            people.add((name, year))
            relation = ["Chủ hộ", "Vợ/chồng"][position] if position < 2 else "Con"
            first = position == 0
            data.append([f"TV{hh:06d}", hamlet if first else None, name, relation, date(year, rng.randint(1, 12), rng.randint(1, 28)),
                         "Nam" if sex == "M" else "Nữ", "Kinh",
                         f"001{(year // 100 - 19) * 2 + (sex == 'F')}{year % 100:02d}{i:06d}" if year < 2008 else None,
                         (1_200_000 if poor else 1_400_000) if first else None,
                         deprived if first else None,
                         ("Hộ nghèo" if poor else "Hộ cận nghèo") if first else None])
            i += 1
    return excel_like_xlsx([["DANH SÁCH NHÂN KHẨU"]], heading, [], data)


# The run ----------------------------------------------------------------------------------

def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


SELECT = re.compile(r'<select name="(col_\d+)"[^>]*>(.*?)</select>', re.S)
SELECTED = re.compile(r'<option value="([^"]*)" selected>')


def wait(client, batch_id, poll=0.2):
    from app.imports.models import ImportBatch
    while True:
        client.get(f"/imports/{batch_id}/progress", headers={"HX-Request": "true"})
        with client.application.app_context():
            batch = db.session.get(ImportBatch, batch_id)
            state, stats = batch.state, batch.stats
            db.session.remove()
        if state not in ("checking", "committing"):
            return state, stats
        time.sleep(poll)


def run_flow(client, data, rows):
    """upload → mapping page → check → commit, as the browser does; wall and CPU times."""
    c0, t0 = time.process_time(), time.perf_counter()
    response = client.post("/imports/", data={"file": (io.BytesIO(data), "danh-sach.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    batch_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    chosen = {name: (SELECTED.search(opts).group(1) if SELECTED.search(opts) else "")
              for name, opts in SELECT.findall(page)}
    t1, c1 = time.perf_counter(), time.process_time()
    today = clock.today()
    response = client.post(f"/imports/{batch_id}/check", data={
        **chosen, "year": today.year, "review_date": today.strftime("%d/%m/%Y"),
        "decision_number": "125/QĐ-UBND", "decision_date": today.strftime("%d/%m/%Y")})
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]
    state, stats = wait(client, batch_id)
    t2, c2 = time.perf_counter(), time.process_time()
    result = stats.get("result") or {}
    if state != "previewed" or result.get("errors"):
        issues = [i for i in result.get("issues", []) if i["l"] == "e"][:10]
        sys.exit(f"Check did not pass: state {state}, error {stats.get('error')}, "
                 f"{result.get('errors')} errors, first: {issues}")
    response = client.post(f"/imports/{batch_id}/commit", data={})
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]
    state, stats = wait(client, batch_id)
    t3, c3 = time.perf_counter(), time.process_time()
    if state != "committed":
        sys.exit(f"Commit did not pass: state {state}, error {stats.get('error')}")
    return (t0, t1, t2, t3), (c0, c1, c2, c3), result


def report(rows, times, cpu):
    (t0, t1, t2, t3), (c0, c1, c2, c3) = times, cpu
    log(f"{'':23}{'wall':>8} {'rows/s':>9}   {'CPU':>7} {'rows/s':>9}")
    for label, (w0, w1, k0, k1) in (("Upload + mapping page", (t0, t1, c0, c1)),
                                    ("Check (preview)", (t1, t2, c1, c2)),
                                    ("Commit", (t2, t3, c2, c3)),
                                    ("Whole flow", (t0, t3, c0, c3))):
        log(f"{label:23}{w1 - w0:7.2f}s {rows / (w1 - w0):9,.0f}   {k1 - k0:6.2f}s "
            f"{rows / max(k1 - k0, 1e-9):9,.0f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--layout", choices=("household", "member"), default="household")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--again", action="store_true",
                        help="then import the same file again (every household matched, unchanged)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="bench-import-")
    url = "sqlite:///" + os.path.join(tmp, "bench.db")
    config = type("BenchConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": os.path.join(tmp, "uploads"),
        "IMPORT_INLINE_ROWS": 0, "WTF_CSRF_ENABLED": False})
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        demo.load(households=3000, seed=args.seed)
        officer = db.session.scalar(select(User).where(User.username == "xa1"))
        hamlets = [h.name for h in db.session.scalars(select(AdminUnit).where(
            AdminUnit.parent_id == officer.unit_id, AdminUnit.level == HAMLET))]
        db.session.remove()
    started = time.perf_counter()
    build = household_file if args.layout == "household" else member_file
    data = build(args.rows, sorted(set(hamlets)), args.seed)
    log(f"File: {args.rows:,} rows, one per {args.layout}, {len(data) / 1e6:.1f} MB .xlsx "
        f"(built in {time.perf_counter() - started:.1f} s); database {url}")
    rss_before = peak_rss_mb()

    client = app.test_client()
    response = client.post("/login", data={"username": "xa1", "password": DEMO_PASSWORD})
    assert response.status_code == 303, "login failed"
    from app.households.models import Household, Member
    from app.reviews.models import Review

    def count():
        with app.app_context():
            values = tuple(db.session.scalar(select(func.count()).select_from(m))
                           for m in (Household, Member, Review))
            db.session.remove()
            return values

    load_before = os.getloadavg()[0]
    before = count()
    (t0, t1, t2, t3), (c0, c1, c2, c3), result = run_flow(client, data, args.rows)
    after = count()
    written = tuple(a - b for a, b in zip(after, before))
    rate = args.rows / (t3 - t2)
    cpu_rate = args.rows / (c3 - c2)
    log(f"Machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before / "
        f"{os.getloadavg()[0]:.1f} after (CPU time = this process, all threads)")
    report(args.rows, (t0, t1, t2, t3), (c0, c1, c2, c3))
    log("Commit = read the file again, validate every row, match, write in one transaction.")
    log(f"Goal ≥ {GOAL:,} rows/s for the commit: wall clock {rate:,.0f} "
        f"({'met' if rate >= GOAL else 'NOT MET'}), CPU time {cpu_rate:,.0f} "
        f"({'met' if cpu_rate >= GOAL else 'NOT MET'})")
    log(f"Written: {written[0]:,} households, {written[1]:,} members, {written[2]:,} reviews "
        f"(created {result.get('households_create', 0):,}, updated "
        f"{result.get('households_update', 0):,})")
    log(f"Peak memory (RSS): {peak_rss_mb():.0f} MB (after building the file: {rss_before:.0f} MB)")
    if args.again:
        times, cpu, result = run_flow(client, data, args.rows)
        log(f"Same file again: {result.get('households_unchanged', 0):,} households matched and "
            f"unchanged, {result.get('households_create', 0):,} created")
        report(args.rows, times, cpu)
    if args.keep:
        log(f"Kept {tmp}")
    else:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
