"""A large file is checked and committed as a queued job while the page polls its progress.
The tests' queue runs a job in place when it is queued (JOBS_IMMEDIATE: the test's database
connection belongs to this thread); what is tested is the path: the job's own app context and
session, the progress file, the states, the polling partial, and a run that died being
startable again. tests/core/test_jobs.py shows a job waiting in the real queue for a worker."""
import json
import os
import time
from datetime import timedelta

import pytest

from app.core import clock
from app.imports import jobs
from app.imports.models import ImportBatch
from tests.conftest import page_text
from tests.imports.conftest import batch_id_of, check, commit, counts, result_of, upload
from tests.imports.test_import import layout_households


@pytest.fixture
def background(app, monkeypatch):
    """Every file is large; returns the jobs queued (name and arguments)."""
    monkeypatch.setitem(app.config, "IMPORT_INLINE_ROWS", 0)
    monkeypatch.setitem(app.config, "IMPORT_INLINE_BYTES", 0)
    queued = []
    real = jobs.job_queue.enqueue

    def spy(name, *args):
        queued.append((name, args))
        real(name, *args)

    monkeypatch.setattr(jobs.job_queue, "enqueue", spy)
    return queued


def test_large_file_runs_in_the_background(background, login_as, db):
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, layout_households(), "lon.xlsx"))
    before = counts(db)
    response = check(client, batch_id, htmx=True)
    assert response.status_code == 200 and len(background) == 1
    batch, result = result_of(db, batch_id)
    assert batch.state == "previewed" and result["households_create"] == 2, batch.stats
    response = commit(client, batch_id, htmx=True)
    assert len(background) == 2 and "Đã nhập xong" in page_text(response)
    batch, _ = result_of(db, batch_id)
    assert batch.state == "committed"
    assert counts(db)["households"] == before["households"] + 2


def write_progress(batch, **data):
    with open(os.path.join(jobs.import_dir(), batch.stored_name + ".progress"), "w") as f:
        json.dump(data, f)


def test_progress_is_polled_while_running(login_as, db, app):
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, layout_households(), "lon.xlsx"))
    batch = db.session.get(ImportBatch, batch_id)
    batch.state = jobs.CHECKING
    db.session.commit()
    with app.test_request_context():
        write_progress(batch, phase="read", done=1200, total=5000, at=time.time())
    response = client.htmx_get(f"/imports/{batch_id}/progress")
    html = response.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and 'id="import-step"' in html
    assert "Đang đọc và kiểm tra tệp… 24,00 % 1.200/5.000 dòng" in page_text(response)
    # A second click while it runs is refused; nothing else happens.
    response = check(client, batch_id)
    assert response.status_code == 409
    assert db.session.get(ImportBatch, batch_id).state == jobs.CHECKING


def test_a_run_that_died_can_be_started_again(login_as, db, app):
    client = login_as("commune1")
    batch_id = batch_id_of(upload(client, layout_households(), "lon.xlsx"))
    batch = db.session.get(ImportBatch, batch_id)
    batch.state = jobs.CHECKING
    db.session.commit()
    with app.test_request_context():
        write_progress(batch, phase="read", done=10, total=5000, at=time.time() - 3600)
    page = page_text(client.get(f"/imports/{batch_id}"))
    assert "Bước 2" in page                             # not "running": the mapping again
    assert check(client, batch_id).status_code == 303
    _, result = result_of(db, batch_id)
    assert db.session.get(ImportBatch, batch_id).state == "previewed"
    assert result["households_create"] == 2


def test_files_not_imported_within_a_week_are_deleted(login_as, db, upload_dir):
    client = login_as("commune1")
    old_id = batch_id_of(upload(client, layout_households(), "cu.xlsx"))
    old = db.session.get(ImportBatch, old_id)
    old.created_at = clock.utcnow() - timedelta(days=8)
    db.session.commit()
    assert (upload_dir / "imports" / old.stored_name).exists()
    batch_id_of(upload(client, layout_households(), "moi.xlsx"))
    assert not (upload_dir / "imports" / old.stored_name).exists()
    text = page_text(client.get(f"/imports/{old_id}"))
    assert "Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại." in text
