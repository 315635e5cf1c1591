"""Logs: one line per request (time, request id, user id, role, method, path, status,
duration), errors with their traceback, and the app's own loggers (import jobs, …), as JSON
or text (LOG_FORMAT), at LOG_LEVEL, on stderr where gunicorn and systemd collect it.

No personal data: the path is logged without its query string (searches are people's names),
users by id and role only, and form bodies never."""
import json
import logging
import sys
import time
import uuid

from flask import g, has_request_context, request
from flask_login import current_user

LOGGER = "thoatngheo"
request_log = logging.getLogger(f"{LOGGER}.request")


class _Context(logging.Filter):
    """Every record made during a request carries its id, so an error joins its request line."""

    def filter(self, record):
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("request_id", "user_id", "role", "method", "path", "status", "duration_ms")

    def format(self, record):
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        entry.update({f: getattr(record, f) for f in self.FIELDS if hasattr(record, f)})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def init_app(app):
    handler = logging.StreamHandler(sys.stderr)
    if app.config.get("LOG_FORMAT", "text") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.formatter.converter = time.gmtime   # stored and logged times are UTC
    handler.addFilter(_Context())
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    # The app's loggers (thoatngheo.*, app.*) and Flask's own (tracebacks of 500s) share it.
    for name in (LOGGER, "app", app.logger.name):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False

    app.before_request(_start)
    app.after_request(_finish)


def _start():
    # A request id from the proxy (nginx $request_id) is kept so both logs join; else a new one.
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isalnum() else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    started = g.pop("request_started", None)
    if started is None:
        return response
    authenticated = current_user and current_user.is_authenticated
    request_log.info(
        "%s %s %s", request.method, request.path, response.status_code,
        extra={"user_id": current_user.id if authenticated else None,
               "role": current_user.role if authenticated else None,
               "method": request.method, "path": request.path, "status": response.status_code,
               "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
    response.headers["X-Request-ID"] = g.request_id
    return response
