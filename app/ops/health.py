"""GET /healthz for load balancers: no login, no personal data, 200 when every check passes,
503 (with the failing check named) otherwise."""
import os
import tempfile
from functools import cache

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


@cache
def _head_revision(migrations_dir: str) -> str:
    """The newest migration in the code (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option("script_location", migrations_dir)
    return ScriptDirectory.from_config(config).get_current_head()


def _database() -> str | None:
    db.session.execute(text("SELECT 1"))
    return None


def _migrations() -> str | None:
    current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = _head_revision(current_app.extensions["migrate"].directory)
    return None if current == head else f"database at {current}, code at {head}"


def _upload_dir() -> str | None:
    directory = current_app.config["UPLOAD_DIR"]
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix=".healthz-"):
        pass
    return None


CHECKS = {"database": _database, "migrations": _migrations, "upload_dir": _upload_dir}


@bp.get("/healthz")
def healthz():
    results = {}
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as exc:  # a health check reports, it never raises
            db.session.rollback()
            problem = type(exc).__name__
        results[name] = problem or "ok"
    healthy = all(v == "ok" for v in results.values())
    response = jsonify(status="ok" if healthy else "error", checks=results)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
