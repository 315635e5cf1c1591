"""Request logs: one line per request with id, user, role, method, path, status and duration;
errors with their traceback; never a query string or a name."""
import json
import logging

import pytest

from app.ops.logs import JsonFormatter, _Context


@pytest.fixture
def log_lines():
    """The JSON lines the app logs during the test."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_Context())
    loggers = [logging.getLogger(name) for name in ("thoatngheo", "app")]  # app: Flask's own
    for logger in loggers:
        logger.addHandler(handler)
    yield lines
    for logger in loggers:
        logger.removeHandler(handler)


def test_request_line_has_who_what_and_how_long_but_no_query(login_as, world, log_lines):
    client = login_as("commune1")
    log_lines.clear()
    response = client.get("/households/?q=Nguyễn Văn An", headers={"X-Request-ID": "abc123def456"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "abc123def456"
    (line,) = [entry for entry in log_lines if entry["logger"] == "thoatngheo.request"]
    assert line["request_id"] == "abc123def456"
    assert line["user_id"] == world.users["commune1"] and line["role"] == "commune"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/households/", 200)
    assert line["duration_ms"] >= 0
    assert "Nguy" not in json.dumps(line, ensure_ascii=False)


def test_request_id_is_made_when_missing_or_malformed(client, log_lines):
    response = client.get("/login", headers={"X-Request-ID": "bad id;drop"})
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and request_id.isalnum()
    assert log_lines[-1]["request_id"] == request_id and log_lines[-1]["user_id"] is None


def test_error_is_logged_with_traceback_and_request_id(app, client, log_lines, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.view_functions, "health.healthz", lambda: 1 / 0)
    response = client.get("/healthz")
    assert response.status_code == 500
    (error,) = [e for e in log_lines if e["level"] == "ERROR"]
    assert "ZeroDivisionError" in error["traceback"]
    assert error["request_id"] == response.headers["X-Request-ID"]
