"""Import tests: files built here, uploads stored in the run's temp dir, and the browser's
steps (upload → the mapping page as suggested → check → commit) through HTTP."""
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import AuditLog
from app.households.models import Household, Member
from app.imports.models import ImportBatch, ImportMapping
from app.reviews.models import Review


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    """Uploads in the test's temp dir; checks run in the request (a background thread would use
    the test's connection from another thread: test_background.py covers that path)."""
    previous = app.config.get("UPLOAD_DIR"), app.config.get("IMPORT_INLINE_ROWS")
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    app.config["IMPORT_INLINE_ROWS"] = 10 ** 6
    yield tmp_path / "uploads"
    app.config["UPLOAD_DIR"], app.config["IMPORT_INLINE_ROWS"] = previous


def xlsx(rows, merges=(), title="Danh sách", formats=None, extra_sheets=()) -> bytes:
    """A workbook as Excel writes it (shared strings aside): rows, merged ranges, number formats
    by cell ({"D5": "dd/mm/yyyy"})."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    for name, extra in extra_sheets:
        other = wb.create_sheet(name)
        for row in extra:
            other.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts(db) -> dict:
    db.session.expire_all()
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in (
        ("households", Household), ("members", Member), ("reviews", Review),
        ("batches", ImportBatch), ("mappings", ImportMapping))} | {
        "audit": db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action.not_in(("login", "view", "upload"))))}


def upload(client, data: bytes, filename: str):
    return client.post("/imports/", data={"csrf_token": client.csrf(),
                                          "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


SELECT = re.compile(r'<select name="(col_\d+)"[^>]*>(.*?)</select>', re.S)
SELECTED = re.compile(r'<option value="([^"]*)" selected>')


def suggested(html: str) -> dict:
    """What the browser would submit for the column selects as the page shows them."""
    out = {}
    for name, options in SELECT.findall(html):
        chosen = SELECTED.search(options)
        out[name] = chosen.group(1) if chosen else ""
    return out


def check(client, batch_id, year=None, review_date=None, decision=("12/QĐ-UBND", None),
          overrides=None, htmx=False, **extra):
    page = client.get(f"/imports/{batch_id}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    today = clock.today()
    data = {**suggested(page.get_data(as_text=True)), "year": year or today.year,
            "review_date": review_date or today.strftime("%d/%m/%Y"),
            "decision_number": decision[0] or "",
            "decision_date": decision[1] or today.strftime("%d/%m/%Y"), **(overrides or {}), **extra}
    return client.form(f"/imports/{batch_id}/check", data, htmx=htmx)


def commit(client, batch_id, dry_run=False, htmx=False):
    data = {"dry_run": "y"} if dry_run else {}
    return client.form(f"/imports/{batch_id}/commit", data, htmx=htmx)


def batch_id_of(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def result_of(db, batch_id) -> dict:
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch_id)
    return batch, (batch.stats or {}).get("result") or {}


def messages(result) -> list[str]:
    return [(i["r"], i["f"], i["l"], i["m"] % i["a"] if i["a"] else i["m"]) for i in result.get("issues", [])]
