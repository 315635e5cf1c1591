"""`flask backup` while writes go on, `flask restore` onto an empty database: row counts and
per-table checksums of the restored database equal the backup's snapshot; evidence files come
back byte for byte; a restore never lands on a database that holds data."""
import io
import json
import os
import tarfile
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from app.ops import backup
from tests.conftest import make_config


def _app(url, upload_dir):
    return create_app(make_config(url, UPLOAD_DIR=str(upload_dir)))


def _writer(url, stop: threading.Event, written: list):
    """Audit rows inserted one transaction at a time until told to stop."""
    engine = create_engine(url)
    try:
        while not stop.is_set():
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO audit_log (at, action, entity) "
                                  "VALUES (CURRENT_TIMESTAMP, 'view', 'household')"))
            written.append(1)
    finally:
        engine.dispose()


def test_backup_under_writes_restores_the_same_rows_and_files(scratch_databases, tmp_path):
    from app import demo
    source_url, target_url = scratch_databases("backup_src"), scratch_databases("backup_dst")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "ab12.jpg").write_bytes(b"\xff\xd8 a receipt")
    (uploads / "imports").mkdir()
    (uploads / "imports" / "list.xlsx").write_bytes(b"PK\x03\x04 workbook")
    archive = str(tmp_path / "nightly.tar.gz")

    source = _app(source_url, uploads)
    with source.app_context():
        upgrade()
        demo.load(60, 3)
        db.session.commit()
        db.session.remove()
        with db.engine.connect() as conn:
            audit_before = conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar()
        stop, written = threading.Event(), []
        writer = threading.Thread(target=_writer, args=(source_url, stop, written))
        writer.start()
        try:
            while len(written) < 5:   # writes are under way before the backup starts
                pass
            manifest = source.test_cli_runner().invoke(args=["backup", archive])
        finally:
            stop.set()
            writer.join()
        assert manifest.exit_code == 0, manifest.output
        assert "Đã sao lưu" in manifest.output
        db.engine.dispose()

    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", "uploads/ab12.jpg", "uploads/imports/list.xlsx"} <= set(names)
    assert oct(os.stat(archive).st_mode & 0o777) == "0o600"

    restored_uploads = tmp_path / "restored"
    target = _app(target_url, restored_uploads)
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", archive])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as conn:
            households = conn.execute(text("SELECT COUNT(*) FROM household")).scalar()
            audit_rows = conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar()
        db.session.remove()
        db.engine.dispose()
    assert households == 60
    # A snapshot taken while the writer ran: the rows committed before it started, and never
    # more than were written in all.
    assert audit_before + 5 <= audit_rows <= audit_before + len(written)
    assert (restored_uploads / "ab12.jpg").read_bytes() == b"\xff\xd8 a receipt"
    assert (restored_uploads / "imports" / "list.xlsx").read_bytes() == b"PK\x03\x04 workbook"


def test_restore_refuses_a_database_that_holds_data(scratch_databases, tmp_path):
    url = scratch_databases("backup_busy")
    app = _app(url, tmp_path / "uploads")
    with app.app_context():
        upgrade()
        db.session.remove()
        archive = str(tmp_path / "b.tar.gz")
        backup.backup(db.engine.url.render_as_string(hide_password=False),
                      str(tmp_path / "uploads"), archive)
        result = app.test_cli_runner().invoke(args=["restore", archive])
        db.engine.dispose()
    assert result.exit_code != 0
    assert "không trống" in result.output


def test_a_tampered_archive_is_refused(scratch_databases, tmp_path):
    source_url, target_url = scratch_databases("backup_t1"), scratch_databases("backup_t2")
    app = _app(source_url, tmp_path / "u1")
    with app.app_context():
        upgrade()
        db.session.remove()
        url = db.engine.url.render_as_string(hide_password=False)
        archive = str(tmp_path / "t.tar.gz")
        manifest = backup.backup(url, str(tmp_path / "u1"), archive)
        db.engine.dispose()
    manifest["tables"]["lookup"][0] += 1   # the figures no longer match the data
    forged = str(tmp_path / "forged.tar.gz")
    with tarfile.open(archive) as src, tarfile.open(forged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if member.name == "manifest.json":
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    with pytest.raises(backup.BackupError, match="lookup"):
        backup.restore(target_url, str(tmp_path / "u2"), forged)
