"""Scratch databases of their own (beside the suite's shared one) for tests that need a whole
database: migrations on real data, backup and restore."""
import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@pytest.fixture
def scratch_databases(tmp_path):
    """scratch_databases("name") → the URL of a new empty database (SQLite file, or a
    PostgreSQL database beside TEST_DATABASE_URL's); all dropped after the test."""
    base_url = os.environ.get("TEST_DATABASE_URL")
    made = []
    admin = None
    if base_url:
        base = make_url(base_url)
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def new(name: str) -> str:
        if not base_url:
            return "sqlite:///" + str(tmp_path / f"{name}.db")
        database = f"{base.database}_{name}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        made.append(database)
        return base.set(database=database).render_as_string(hide_password=False)

    yield new
    if admin is not None:
        with admin.connect() as conn:
            for database in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
