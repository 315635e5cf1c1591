"""The job queue keeps a job until a worker runs it: queued by one app (a web worker), run by
another started later (`flask worker` after a restart), in that app's context."""
import pytest

from app import create_app
from app.ops import jobs
from tests.conftest import make_config

DONE = []


@jobs.job
def remember_for_test(value):
    from flask import current_app
    DONE.append((value, current_app.config["MARK"]))


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_a_queued_job_survives_the_web_worker_and_runs_in_the_worker(tmp_path, storage):
    if storage == "redis":
        url = "redis://127.0.0.1:6379/15"
        try:
            import redis
            redis.Redis.from_url(url).ping()
        except Exception:
            pytest.skip("no Redis server on 127.0.0.1:6379")
    else:
        url = "sqlite:///" + str(tmp_path / "jobs.db")
    settings = dict(JOBS_IMMEDIATE=False, JOBS_URL=url)
    DONE.clear()
    web = create_app(make_config("sqlite:///" + str(tmp_path / "a.db"), MARK="web", **settings))
    with web.app_context():
        jobs.queue().flush()
        jobs.enqueue("remember_for_test", 42)
        assert jobs.queue().pending_count() == 1
    assert DONE == []            # nothing ran in the web worker
    del web                      # the web worker goes away; the job stays queued

    worker = create_app(make_config("sqlite:///" + str(tmp_path / "a.db"), MARK="worker", **settings))
    with worker.app_context():
        queue = jobs.queue()
        task = queue.dequeue()
        queue.execute(task)
        assert queue.pending_count() == 0
    assert DONE == [(42, "worker")]


def test_an_unknown_job_is_refused(app):
    with app.app_context(), pytest.raises(KeyError):
        jobs.enqueue("no_such_job")
