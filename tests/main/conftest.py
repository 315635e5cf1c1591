"""The demo province (300 households, seed 1) in a database of its own for the home page's
tests: a SQLite file, or — when TEST_DATABASE_URL names PostgreSQL — a scratch database beside
that one (its name + "_home"), created and dropped here."""
import os
import shutil
import tempfile

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import Client, make_config

DEMO_PASSWORD = "demo12345"


def _scratch_postgres(url: str) -> tuple[str, callable]:
    base = make_url(url)
    name = f"{base.database}_home"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="package")
def demo_app():
    from flask_migrate import upgrade

    from app import create_app, demo
    from app.extensions import db

    tmp = tempfile.mkdtemp(prefix="thoatngheo-home-")
    url, drop = os.environ.get("TEST_DATABASE_URL", ""), None
    if url.startswith("postgresql"):
        url, drop = _scratch_postgres(url)
    else:
        url = "sqlite:///" + os.path.join(tmp, "demo.db")
    application = create_app(make_config(url, UPLOAD_DIR=os.path.join(tmp, "uploads")))
    application.test_client_class = Client
    with application.app_context():
        upgrade()
        demo.load(households=300, seed=1)
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def demo_login(demo_app):
    def login(username):
        client = demo_app.test_client()
        client.get("/login")
        response = client.form("/login", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 303, f"login as {username} failed"
        return client
    return login
