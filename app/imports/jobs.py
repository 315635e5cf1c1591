"""An import batch from upload to commit: the stored file, its state, the progress of a long
check or commit, and where the work runs.

A small file is checked and committed in the request. A large one is queued as a job
(app/ops/jobs.py: a worker process, its own app context and database session) while the page
polls the progress: a small JSON file beside the upload, written a few times a second, so any
worker process of the server can answer the poll and a commit's single transaction is never
interrupted to record progress. A batch whose work stopped (the worker restarted) is seen as
interrupted once its progress has not moved for STALE_SECONDS, and can be started again: the
transaction it was in never committed.

States: uploaded → checking → previewed → committing → committed; failed when the file could
not be read. A check or commit is claimed with one UPDATE … WHERE state IN (…), so two clicks
cannot run it twice."""
import gc
import json
import logging
import os
import secrets
import time
from contextlib import contextmanager
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.i18n import N_
from app.core.units import AdminUnit
from app.core.users import User
from app.extensions import db
from app.imports import services
from app.imports.context import Context, Options
from app.imports.models import ImportBatch
from app.imports.reader import Limits, Refused
from app.imports.tables import open_table
from app.imports.writer import Writer
from app.ops import jobs as job_queue

log = logging.getLogger(__name__)
UPLOADED, CHECKING, PREVIEWED, COMMITTING, COMMITTED, FAILED = (
    "uploaded", "checking", "previewed", "committing", "committed", "failed")
RUNNING = (CHECKING, COMMITTING)
STALE_SECONDS = 120
CHECK, COMMIT, DRY_RUN = "check", "commit", "dry_run"


# Stored files ------------------------------------------------------------------------------

def import_dir() -> str:
    base = current_app.config.get("UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads")
    path = os.path.join(base, "imports")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def store(data: bytes, kind: str) -> str:
    """A random name (the user's file name is kept in the batch only, never used as a path)."""
    name = f"{secrets.token_hex(16)}.{kind}"
    fd = os.open(os.path.join(import_dir(), name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return name


def load(batch: ImportBatch) -> bytes:
    try:
        with open(os.path.join(import_dir(), batch.stored_name), "rb") as f:
            return f.read()
    except OSError:
        raise Refused(N_("Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại.")) from None


def discard(batch: ImportBatch):
    for name in (batch.stored_name, batch.stored_name + ".progress"):
        try:
            os.remove(os.path.join(import_dir(), name))
        except OSError:
            pass


def sweep():
    """Uploaded lists hold personal data: a file not imported within IMPORT_KEEP_DAYS days is
    deleted (the batch and its check results stay; a committed batch's file went at commit)."""
    cutoff = clock.utcnow() - timedelta(days=current_app.config.get("IMPORT_KEEP_DAYS", 7))
    for batch in db.session.scalars(select(ImportBatch).where(
            ImportBatch.created_at < cutoff, ImportBatch.state != COMMITTED)):
        if not (batch.stats or {}).get("discarded_at"):
            discard(batch)
            set_stats(batch, discarded_at=clock.utcnow().isoformat())


def open_batch_table(batch: ImportBatch):
    return open_table(load(batch), batch.filename, Limits.from_config(current_app.config))


# Progress ----------------------------------------------------------------------------------

class Progress:
    def __init__(self, batch: ImportBatch, phase: str, total: int | None):
        self.path = os.path.join(import_dir(), batch.stored_name + ".progress")
        self.phase, self.total, self.last = phase, total, 0.0
        self.update(0, force=True)

    def update(self, done: int, phase: str | None = None, total: int | None = None, force=False):
        if phase:
            self.phase, self.total, force = phase, total, True
        now = time.time()
        if not force and now - self.last < 0.25:
            return
        self.last = now
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"phase": self.phase, "done": done, "total": self.total, "at": now}, f)
        os.replace(tmp, self.path)

    def clear(self):
        try:
            os.remove(self.path)
        except OSError:
            pass


def read_progress(batch: ImportBatch) -> dict | None:
    try:
        with open(os.path.join(import_dir(), batch.stored_name + ".progress")) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    data["stale"] = time.time() - data.get("at", 0) > STALE_SECONDS
    return data


def is_running(batch: ImportBatch) -> bool:
    if batch.state not in RUNNING:
        return False
    progress = read_progress(batch)
    return progress is not None and not progress["stale"]


# Options kept in the batch -----------------------------------------------------------------

def options_of(batch: ImportBatch) -> Options:
    o = batch.stats.get("options") or {}
    day = lambda v: date.fromisoformat(v) if v else None  # noqa: E731
    return Options(year=o.get("year") or clock.today().year,
                   review_date=day(o.get("review_date")) or clock.today(),
                   decision_number=o.get("decision_number"), decision_date=day(o.get("decision_date")),
                   hamlet_id=o.get("hamlet_id"), sheet=o.get("sheet", 0))


def options_json(options: Options) -> dict:
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    return {"year": options.year, "review_date": iso(options.review_date),
            "decision_number": options.decision_number, "decision_date": iso(options.decision_date),
            "hamlet_id": options.hamlet_id, "sheet": options.sheet}


def set_stats(batch: ImportBatch, **values):
    batch.stats = {**(batch.stats or {}), **values}   # a new dict: the JSON column sees it


# Running -----------------------------------------------------------------------------------

def claim(batch: ImportBatch, to_state: str) -> bool:
    """Move the batch into a running state unless a check or commit of it is running now."""
    allowed = [UPLOADED, PREVIEWED, FAILED] + ([] if is_running(batch) else list(RUNNING))
    if to_state == COMMITTING:
        allowed = [PREVIEWED] + ([] if is_running(batch) else [COMMITTING])
    claimed = db.session.execute(update(ImportBatch).where(
        ImportBatch.id == batch.id, ImportBatch.state.in_(allowed)).values(state=to_state)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    db.session.refresh(batch)
    return claimed == 1


def start(batch: ImportBatch, user, action: str, ip: str | None) -> bool:
    """Run `action` now (a small file: its declared rows, else its size) or queue it as a job;
    False if it was refused because the batch is busy or already committed."""
    if not claim(batch, CHECKING if action == CHECK else COMMITTING):
        return False
    estimate = batch.stats.get("rows_estimate")
    Progress(batch, "read", estimate)
    small = (estimate <= current_app.config["IMPORT_INLINE_ROWS"] if estimate is not None
             else batch.stats.get("size", 0) <= current_app.config["IMPORT_INLINE_BYTES"])
    batch_id, user_id = batch.id, user.id
    if small:
        execute(batch_id, user_id, action, ip)
        return True
    db.session.commit()      # the request holds no transaction while the job works
    job_queue.enqueue("import_batch", batch_id, user_id, action, ip)
    return True


@job_queue.job
def import_batch(batch_id, user_id, action, ip):
    """The queued form of execute(), in the worker process: there the cycle collector may be
    paused for the run (a web worker never pauses it)."""
    log.info("import batch %s: %s", batch_id, action)
    with gc_paused():
        execute(batch_id, user_id, action, ip)


@contextmanager
def gc_paused():
    """Python's cycle collector rescans the live objects each time allocations pile up; a check
    builds a few hundred thousand long-lived objects at once, and those rescans cost a third of
    its time. Paused while it runs (a few seconds), then it resumes as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def execute(batch_id: int, user_id: int, action: str, ip: str | None):
    batch = db.session.get(ImportBatch, batch_id)
    user = db.session.get(User, user_id)
    progress = Progress(batch, "read", batch.stats.get("rows_estimate"))
    try:
        _run(batch, user, action, ip, progress)
    except Refused as exc:
        db.session.rollback()
        _finish(batch_id, FAILED if action == CHECK else PREVIEWED,
                error={"m": exc.message, "a": {k: str(v) for k, v in exc.args_.items()}})
    except IntegrityError:
        db.session.rollback()
        _finish(batch_id, PREVIEWED, error={"m": N_(
            "Dữ liệu trong hệ thống vừa thay đổi trong lúc nhập (trùng mã hộ hoặc CCCD). Chưa có "
            "gì được ghi; hãy kiểm tra lại tệp."), "a": {}})
    except Exception:   # logged; the user sees that nothing was written
        log.exception("import batch %s: %s failed", batch_id, action)
        db.session.rollback()
        _finish(batch_id, FAILED if action == CHECK else PREVIEWED, error={"m": N_(
            "Đã có lỗi khi xử lý tệp. Chưa có gì được ghi vào hệ thống."), "a": {}})
    finally:
        progress.clear()


def _finish(batch_id, state, **stats):
    batch = db.session.get(ImportBatch, batch_id)
    batch.state = state
    set_stats(batch, **stats)
    db.session.commit()


def _run(batch, user, action, ip, progress):
    options = options_of(batch)
    table = open_batch_table(batch)
    ctx = Context(user, options)
    header = batch.stats["header"]
    mapping = {int(col): name for col, name in batch.stats["mapping"].items()}
    plan, existing = services.check(table.rows(options.sheet), header["data_from"], mapping, ctx,
                                    user, progress.update)
    result = services.summary(plan)
    stats = {"result": result, "error": None, "checked_at": clock.utcnow().isoformat(),
             "dry_run_ok": False}
    if action == CHECK or services.has_errors(plan):
        db.session.rollback()
        if action != CHECK:
            stats["error"] = {"m": N_("Tệp còn lỗi: chưa có gì được ghi vào hệ thống."), "a": {}}
        _finish(batch.id, PREVIEWED, **stats)
        return
    progress.update(0, "write", len(plan.households))
    commune = db.session.get(AdminUnit, batch.commune_id)
    Writer(plan, existing, ctx, user.id, ip, commune, batch.id, progress.update).run()
    if action == DRY_RUN:
        db.session.rollback()
        _finish(batch.id, PREVIEWED, **{**stats, "dry_run_ok": True})
        return
    batch = db.session.get(ImportBatch, batch.id)
    batch.state, batch.committed_at = COMMITTED, clock.utcnow()
    set_stats(batch, **stats)
    db.session.commit()
    discard(batch)
