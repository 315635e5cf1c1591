"""Files small on the wire and huge once read: one 240 MB cell in a 3 MB upload (before: 100 s of
CPU and 1.9 GB in the web worker), a long shared string, a sheet part or a styles part over its
bound, one XML tag or comment megabytes long. Each is refused while it is read — the long text
is never built — with a Vietnamese message, nothing stored or written."""
import io
import time
import tracemalloc
import zipfile

import pytest

from tests.conftest import page_text
from tests.imports import files
from tests.imports.conftest import batch_id_of, check, counts, result_of, upload, xlsx

MB = 1024 * 1024
TOO_LONG = "Tệp Excel có ô chứa chữ dài quá"
PART_TOO_BIG = "Một trang tính hoặc một phần của tệp Excel khi giải nén quá lớn"
MARKER = "ĐÂY LÀ Ô DÀI"


@pytest.fixture
def limits(app, monkeypatch):
    def set_limits(**values):
        for name, value in values.items():
            monkeypatch.setitem(app.config, f"IMPORT_{name.upper()}", value)
    return set_limits


def with_text(pieces, shared=False, rows_before=0):
    """The good list with one more household whose name is `pieces`."""
    rows = files.GOOD_ROWS + [[f"Người {i}", 1960, "Nam", "Thôn Đông"] for i in range(rows_before)]
    return files.long_text(xlsx(rows + [[MARKER, 1961, "Nữ", "Thôn Đông"]]), MARKER, pieces, shared)


def refused(client, db, data) -> str:
    """Upload `data`: refused (422) with nothing stored or written; the page's text."""
    before = counts(db)
    response = upload(client, data, "ds.xlsx")
    assert response.status_code == 422, response.status_code
    assert counts(db) == before
    return page_text(response)


def measured(fn):
    """fn()'s result, its CPU seconds and its peak of Python memory in MB."""
    tracemalloc.start()
    start = time.process_time()
    try:
        result = fn()
        return result, time.process_time() - start, tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("shared", [False, True], ids=["inline", "shared"])
def test_a_cell_longer_than_the_cap_is_refused_one_at_the_cap_accepted(shared, limits, login_as, db,
                                                                      upload_dir):
    limits(max_cell_chars=1000)
    client = login_as("commune1")
    text = refused(client, db, with_text([b"a" * 1001], shared))
    assert f"{TOO_LONG} 1000 ký tự" in text
    assert not upload_dir.exists() or not list(upload_dir.rglob("*.xlsx"))
    batch_id_of(upload(client, with_text([b"a" * 1000], shared), "ds.xlsx"))


@pytest.fixture(scope="module")
def cell_of_240_mb():
    """The probe's file: one inline cell of 240,000,000 characters, a 229 MB sheet part compressing
    ~90:1 (under the zip-bomb ratio) into a 2.6 MB upload. Built piece by piece in ~2 s."""
    data = with_text([files.filler(240_000_000)])
    assert len(data) < 3 * MB
    return data


def test_real_size_cell_is_refused_fast_in_bounded_memory(cell_of_240_mb, limits, login_as, db):
    client = login_as("commune1")
    text, cpu, peak = measured(lambda: refused(client, db, cell_of_240_mb))
    assert PART_TOO_BIG in text and "(228 MB; tối đa 128 MB)" in text   # before anything is parsed
    assert cpu < 5 and peak < 32, (cpu, peak)
    limits(max_part_bytes=300 * MB, max_uncompressed=300 * MB)      # the cap while streaming
    text, cpu, peak = measured(lambda: refused(client, db, cell_of_240_mb))
    assert f"{TOO_LONG} 32767 ký tự" in text
    assert cpu < 5 and peak < 32, (cpu, peak)


def test_a_long_cell_past_the_rows_read_at_upload_fails_the_check(limits, login_as, db):
    """Upload reads the first rows only (the first chunks of the sheet); the check reads them all
    and stops at the long cell."""
    limits(max_cell_chars=1000)
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, with_text([b"a" * 2000], rows_before=3000), "ds.xlsx"))
    before = counts(db)
    response = check(client, batch_id, htmx=True)
    assert response.status_code == 200
    batch, _ = result_of(db, batch_id)
    assert batch.state == "failed" and f"{TOO_LONG} 1000 ký tự" in page_text(response)
    assert counts(db) == before


def test_header_scan_reads_cells_cut_short(login_as, db):
    """One shared string of 32,767 characters in every cell of the first rows (32 × 40), a 30 KB
    file: matching it as headings took some 40 s of CPU in the upload request."""
    client = login_as("commune1")
    data = xlsx([[MARKER] * 40 for _ in range(32)])
    data = files.long_text(data, MARKER, [(b"Nguy\xe1\xbb\x85n V\xc4\x83n A " * 2600)[:32767]],
                           shared=True)
    assert len(data) < 64 * 1024
    start = time.process_time()
    assert "Không tìm thấy dòng tiêu đề cột" in refused(client, db, data)
    assert time.process_time() - start < 5   # 0.6 s here


def test_a_sheet_part_over_its_bound_is_refused(limits, login_as, db):
    limits(max_part_bytes=1 * MB)
    client = login_as("commune1")
    data = with_text([b"a<!--", files.filler(2 * MB), b"-->b"])
    assert f"{PART_TOO_BIG} (2 MB; tối đa 1 MB)" in refused(client, db, data)


def test_a_part_openpyxl_reads_whole_is_bounded(limits, login_as, db):
    """styles.xml (like the workbook and its relationships) is parsed into objects, whole."""
    limits(max_metadata_bytes=1 * MB)
    client = login_as("commune1")
    data = files.good()
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    head, tail = styles.split("<fonts", 1)
    data = files.streamed(data, {"xl/styles.xml": [head.encode(), b"<!--", files.filler(2 * MB),
                                                   b"--><fonts", tail.encode()]})
    assert "Phần mô tả bảng tính (danh sách trang, định dạng) của tệp Excel quá lớn" in \
        refused(client, db, data)


@pytest.mark.parametrize("shared", [False, True], ids=["sheet", "shared strings"])
@pytest.mark.parametrize("token", [(b"<!--", b"-->"), (b'<b x="', b'"/>')],
                         ids=["comment", "attribute"])
def test_one_xml_token_megabytes_long_is_refused(token, shared, login_as, db):
    """expat holds an unfinished token whole and re-scans it at every chunk: quadratic time."""
    client = login_as("commune1")
    data = with_text([b"a" + token[0], files.filler(3 * MB), token[1] + b"b"], shared)
    (text, cpu, _peak) = measured(lambda: refused(client, db, data))
    assert "Tệp Excel có một đoạn XML dài bất thường (hơn 1 MB)" in text
    assert cpu < 5, cpu
