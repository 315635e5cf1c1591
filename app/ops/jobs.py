"""The job queue. Work that outlives a request (a large import's check or commit, …) runs in a
worker process — `flask worker`, which `make run` starts beside the server — never in a thread
of a web worker. The queue is Huey's: in a SQLite file beside the app by default
(instance/jobs.db, no extra server), in Redis in production (JOBS_URL=redis://…). A queued job
waits through any web worker's restart; a job's progress is written where every web worker
reads it (for imports, the progress file beside the upload).

A job is a plain function registered with @job and queued with enqueue(name, *args); it runs in
an app context of the worker's own app. With JOBS_IMMEDIATE (the tests) it runs in place."""
import logging
import os

from flask import current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey

from app.extensions import db

log = logging.getLogger(__name__)
_JOBS = {}   # name → function; modules that define jobs are imported by create_app


def job(fn):
    _JOBS[fn.__name__] = fn
    return fn


def init_app(app):
    queue = _make_queue(app)

    @queue.task(name="thoatngheo.run")
    def run(name, *args):
        with app.app_context():
            log.info("job %s started", name)
            try:
                _JOBS[name](*args)
            finally:
                db.session.remove()
            log.info("job %s finished", name)

    app.extensions["jobs"] = (queue, run)


def _make_queue(app):
    if app.config.get("JOBS_IMMEDIATE"):
        return MemoryHuey("thoatngheo", immediate=True, results=False)
    url = app.config.get("JOBS_URL") or ""
    if url.startswith("redis"):
        return RedisHuey("thoatngheo", url=url, results=False)
    path = url.removeprefix("sqlite:///") or os.path.join(app.instance_path, "jobs.db")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return SqliteHuey("thoatngheo", filename=path, results=False)


def enqueue(name: str, *args):
    if name not in _JOBS:
        raise KeyError(f"no job named {name}")
    _, run = current_app.extensions["jobs"]
    run(name, *args)


def queue():
    return current_app.extensions["jobs"][0]
