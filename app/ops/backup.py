"""`flask backup [PATH]` and `flask restore PATH`: the database and the uploaded files in one
.tar.gz, safe to take while the app serves.

- SQLite: the online backup API copies a consistent snapshot page by page (writers go on).
- PostgreSQL: `pg_dump` (custom format) of a snapshot exported by a REPEATABLE READ
  transaction, so the dump and the manifest's figures see the same rows.
- manifest.json: revision, time (UTC), dialect, and per table its row count and a checksum of
  its rows; `restore` recomputes them on the restored database and refuses a mismatch.
- SQLite's full-text index (the FTS5 table household_fts and its shadow tables, migration
  0011) is derived from household rows: it is copied with the file but left out of the
  figures, and `restore` rebuilds it from the restored rows.

A restore goes onto an empty database only: it never merges into or overwrites live data."""
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone

from sqlalchemy import create_engine, inspect, text

MANIFEST = "manifest.json"
UPLOADS = "uploads"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    pass


def fingerprint(conn, columns: dict | None = None) -> dict:
    """Per table (alembic_version aside): [row count, sha256 of its rows in primary-key order].
    `columns` (table → column names) limits it to those tables and columns."""
    insp = inspect(conn)
    out = {}
    tables = sorted(columns) if columns is not None else sorted(insp.get_table_names())
    derived = _derived_tables(conn)
    for table in tables:
        if table == "alembic_version" or table.startswith("_alembic_tmp") or table in derived:
            continue
        read = columns[table] if columns is not None else [c["name"] for c in insp.get_columns(table)]
        order = insp.get_pk_constraint(table)["constrained_columns"] or read
        digest, count = hashlib.sha256(), 0
        result = conn.execute(text(f'SELECT {_quoted(read)} FROM "{table}" ORDER BY {_quoted(order)}'))
        for row in result:
            digest.update(repr(tuple(_canonical(v) for v in row)).encode())
            count += 1
        out[table] = [count, digest.hexdigest()]
    return out


def _fts_tables(conn) -> list[str]:
    """SQLite FTS5 tables (indexes over other tables' rows, rebuilt from them)."""
    if conn.dialect.name != "sqlite":
        return []
    return list(conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        " AND lower(sql) LIKE '%using fts5%'")).scalars())


def _derived_tables(conn) -> set[str]:
    """The FTS5 tables and their shadow tables (name_data, name_idx, name_docsize, …)."""
    names = _fts_tables(conn)
    if not names:
        return set()
    every = inspect(conn).get_table_names()
    return {t for t in every for name in names if t == name or t.startswith(name + "_")}


def _quoted(names) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _canonical(value):
    # JSON columns come back as str on SQLite and as dict on PostgreSQL; one restored database is
    # compared with its own dialect's backup, so str() of each value is stable enough.
    return None if value is None else str(value)


def _revision(conn) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


def default_path(instance_path: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return os.path.join(instance_path, "backups", f"thoatngheo-{stamp}.tar.gz")


def backup(url: str, upload_dir: str, path: str) -> dict:
    """Write the backup archive to `path`; return its manifest."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        if url.startswith("sqlite"):
            db_file, manifest = _sqlite_snapshot(url, work)
        elif url.startswith("postgresql"):
            db_file, manifest = _pg_snapshot(url, work)
        else:
            raise BackupError(f"Không hỗ trợ sao lưu cơ sở dữ liệu này: {url.split(':')[0]}")
        manifest["files"] = _count_files(upload_dir)
        partial = path + ".partial"
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            tar.add(db_file, arcname=os.path.basename(db_file))
            if os.path.isdir(upload_dir):
                tar.add(upload_dir, arcname=UPLOADS)
        os.chmod(partial, 0o600)   # personal data: readable by the service account only
        os.replace(partial, path)  # a backup is there whole or not at all
    return manifest


def _sqlite_snapshot(url: str, work: str):
    source_path = url.split("sqlite:///", 1)[1]
    target = os.path.join(work, SQLITE_FILE)
    source = sqlite3.connect(source_path)
    try:
        copy = sqlite3.connect(target)
        source.backup(copy, pages=1024)   # page by page: writers are blocked only briefly
        copy.close()
    finally:
        source.close()
    engine = create_engine("sqlite:///" + target)
    try:
        with engine.connect() as conn:
            manifest = _manifest(conn, "sqlite")
    finally:
        engine.dispose()
    return target, manifest


def _libpq_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _pg_snapshot(url: str, work: str):
    target = os.path.join(work, PG_FILE)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            # pg_dump reads the very snapshot this transaction holds open.
            run = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                  f"--snapshot={snapshot}", "--file", target, _libpq_url(url)],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                raise BackupError(f"pg_dump thất bại: {run.stderr.strip()[:500]}")
            manifest = _manifest(conn, "postgresql")
            conn.rollback()
    finally:
        engine.dispose()
    return target, manifest


def _manifest(conn, dialect: str) -> dict:
    return {"format": 1, "dialect": dialect, "revision": _revision(conn),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "tables": fingerprint(conn)}


def _count_files(directory: str) -> int:
    return sum(len(files) for _, _, files in os.walk(directory)) if os.path.isdir(directory) else 0


def _add_bytes(tar, name: str, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def restore(url: str, upload_dir: str, path: str) -> dict:
    """Restore the archive onto an EMPTY database and an empty upload dir; verify the figures."""
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(work, filter="data")   # no absolute paths, links or devices
        with open(os.path.join(work, MANIFEST), encoding="utf-8") as f:
            manifest = json.load(f)
        dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        if manifest["dialect"] != dialect:
            raise BackupError(f"Bản sao lưu của {manifest['dialect']}, không khôi phục được vào "
                              f"{dialect}.")
        _refuse_non_empty(url, upload_dir)
        if dialect == "sqlite":
            target = url.split("sqlite:///", 1)[1]
            for suffix in ("", "-wal", "-shm"):   # an empty database file, with its WAL
                if os.path.exists(target + suffix):
                    os.remove(target + suffix)
            shutil.copyfile(os.path.join(work, SQLITE_FILE), target)
        else:
            run = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                                  "--single-transaction", "--dbname", _libpq_url(url),
                                  os.path.join(work, PG_FILE)], capture_output=True, text=True)
            if run.returncode != 0:
                raise BackupError(f"pg_restore thất bại: {run.stderr.strip()[:500]}")
        uploads = os.path.join(work, UPLOADS)
        if os.path.isdir(uploads):
            shutil.copytree(uploads, upload_dir, dirs_exist_ok=True)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for name in _fts_tables(conn):   # derived data: rebuilt from the restored rows
                conn.execute(text(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')'))
            conn.commit()
            restored = fingerprint(conn)
    finally:
        engine.dispose()
    if restored != manifest["tables"]:
        differ = sorted(t for t in set(restored) | set(manifest["tables"])
                        if restored.get(t) != manifest["tables"].get(t))
        raise BackupError(f"Dữ liệu khôi phục khác bản sao lưu ở các bảng: {', '.join(differ)}")
    return manifest


def _refuse_non_empty(url: str, upload_dir: str):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError("Cơ sở dữ liệu đích không trống: chỉ khôi phục vào một CSDL trống "
                          f"(đang có {len(tables)} bảng).")
    if _count_files(upload_dir):
        raise BackupError(f"Thư mục tệp đính kèm {upload_dir} không trống.")
