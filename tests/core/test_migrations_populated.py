"""Migrations on real data: the demo province is migrated down to the first revision and up to
head again, on a scratch database of its own (tests/core/conftest.py). The other tests migrate
an empty database, which hides a batch rebuild that breaks on rows (SQLite "FOREIGN KEY
constraint failed" and a leftover _alembic_tmp_* table)."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from app.ops import backup, health
from tests.conftest import make_config

FIRST = "0001"
# Later revisions seed lookup rows and their downgrades remove them again, by design.
SEEDED_LATER = {"lookup"}


def _fingerprint(tables, columns_of) -> dict:
    """Per table: row count and checksum of its rows (primary-key order) over the given columns."""
    with db.engine.connect() as conn:
        return backup.fingerprint(conn, {t: columns_of[t] for t in tables})


def _state():
    insp = inspect(db.engine)
    tables = sorted(t for t in insp.get_table_names() if t != "alembic_version")
    return tables, {t: sorted(c["name"] for c in insp.get_columns(t)) for t in tables}


def test_demo_database_goes_down_to_the_first_revision_and_up_again(scratch_databases):
    from app import demo
    app = create_app(make_config(scratch_databases("migrations")))
    with app.app_context():
        upgrade()
        demo.load(80, 7)
        db.session.commit()
        db.session.remove()
        head_tables, head_columns = _state()
        at_head = _fingerprint(head_tables, head_columns)
        assert at_head["household"][0] == 80

        downgrade(revision=FIRST)
        first_tables, first_columns = _state()
        assert not [t for t in first_tables if t.startswith("_alembic_tmp")]
        kept = [t for t in first_tables if t not in SEEDED_LATER]
        at_first = _fingerprint(kept, first_columns)
        for table in kept:   # nothing of the first revision's tables lost on the way down
            assert at_first[table][0] == at_head[table][0], table

        upgrade()
        again_tables, _ = _state()
        assert again_tables == head_tables
        assert _fingerprint(kept, first_columns) == at_first   # and none on the way up
        assert _fingerprint(["lookup"], head_columns)["lookup"][0] == at_head["lookup"][0]
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
                health._head_revision(app.extensions["migrate"].directory)
            if conn.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        db.session.remove()
        db.engine.dispose()
