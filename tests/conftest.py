"""Fixtures: one migrated database per run (SQLite file, or PostgreSQL via TEST_DATABASE_URL),
a small world of units, users and households committed once, and a per-test transaction that
is rolled back so every test starts from that world."""
import contextvars
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.config import TestConfig
from app.core.units import COMMUNE, DISTRICT, HAMLET, PROVINCE, AdminUnit
from app.core.users import Role, User
from app.extensions import db as _db
from app.households import services
from app.reviews import services as review_services

PASSWORD = "matkhau-thu-nghiem"


def database_url(tmp_dir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or "sqlite:///" + os.path.join(tmp_dir, "test.db")


def make_config(url: str, **extra):
    return type("Cfg", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **extra})


def reset_database(engine):
    """Empty database, then `flask db upgrade` (the real migrations, not create_all)."""
    from flask_migrate import upgrade
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        _db.drop_all()
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


class Client(FlaskClient):
    """The test client, plus the CSRF token a real page would embed."""

    def open(self, *args, **kwargs):
        # Each request runs in a fresh context, so it gets its own app context (and `g`,
        # and database session) as in production, even while the test holds one open.
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def form(self, url, data=None, htmx=False, headers=None, **kwargs):
        """POST a form the way the browser does: with its CSRF token (field or htmx header)."""
        data = dict(data or {})
        headers = dict(headers or {})
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": self.csrf()})
        else:
            data.setdefault("csrf_token", self.csrf())
        return self.post(url, data=data, headers=headers, **kwargs)

    def htmx_get(self, url, target=None, **kwargs):
        headers = {"HX-Request": "true"}
        if target:
            headers["HX-Target"] = target
        return self.get(url, headers=headers, **kwargs)


@dataclass
class World:
    units: dict
    users: dict
    households: dict


def _unit(code, name, level, parent=None, is_urban=False):
    unit = AdminUnit(code=code, name=name, level=level, parent=parent, is_urban=is_urban)
    _db.session.add(unit)
    _db.session.flush()
    unit.rebuild_path()
    return unit


def build_world() -> World:
    """P1 ⊃ D1 ⊃ {C1, C2}, P1 ⊃ D2 ⊃ C3, P1 ⊃ C4 (no district, as after 7/2025); P2 ⊃ C5."""
    u = {}
    u["P1"] = _unit("01", "Tỉnh Một", PROVINCE)
    u["D1"] = _unit("01001", "Huyện Một", DISTRICT, u["P1"])
    u["D2"] = _unit("01002", "Huyện Hai", DISTRICT, u["P1"])
    u["C1"] = _unit("00101", "Xã Một", COMMUNE, u["D1"])
    u["C2"] = _unit("00102", "Xã Hai", COMMUNE, u["D1"])
    u["C3"] = _unit("00103", "Xã Ba", COMMUNE, u["D2"])
    u["C4"] = _unit("00104", "Phường Bốn", COMMUNE, u["P1"], is_urban=True)
    u["P2"] = _unit("02", "Tỉnh Hai", PROVINCE)
    u["C5"] = _unit("00201", "Xã Năm", COMMUNE, u["P2"])
    for c in ("C1", "C2", "C3", "C4", "C5"):
        u[f"H{c[1]}"] = _unit(f"{u[c].code}01", f"Thôn {c}", HAMLET, u[c])
    u["H1b"] = _unit("0010102", "Thôn Đông", HAMLET, u["C1"])

    users = {}
    for username, role, unit in [
            ("admin", Role.ADMIN, None), ("commune1", Role.COMMUNE, u["C1"]),
            ("commune3", Role.COMMUNE, u["C3"]), ("district1", Role.DISTRICT, u["D1"]),
            ("province1", Role.DISTRICT, u["P1"]), ("massorg1", Role.MASS_ORG, u["C1"]),
            ("sponsor1", Role.SPONSOR, u["C1"]), ("nounit", Role.COMMUNE, None)]:
        user = User(username=username, full_name=username.title(), role=role,
                    unit_id=unit.id if unit else None)
        user.set_password(PASSWORD)
        _db.session.add(user)
        users[username] = user

    households = {}
    people = {"C1": ("Nguyễn Văn An", "Đặng Thị Ánh"), "C2": ("Phạm Thị Ánh", "Lê Văn Bình"),
              "C3": ("Nguyễn Văn Anh", "Trần Thị Cúc"), "C4": ("Hoàng Văn Dũng", "Vũ Thị Hoa"),
              "C5": ("Nguyễn Văn An", "Bùi Thị Lan")}
    for c, (head, spouse) in people.items():
        hh = services.create_household(
            {"code": f"HH-{c}", "head_name": head, "address": "Số 1", "policy_group": None},
            u[f"H{c[1]}"], head={"birth_year": 1970, "sex": "M"})
        services.add_member(hh, {"full_name": spouse, "sex": "F", "birth_year": 1972,
                                 "relationship_code": "spouse"})
        households[c] = hh
        _db.session.flush()
        review_services.save_review(hh, review_services.ReviewInput(
            year=2023, review_type="periodic", review_date=date(2023, 10, 1),
            income_per_capita=1_200_000, score_a=None, indicator_codes=["employment", "water", "latrine"],
            cause_codes=["no_capital"], has_labour=True, policy_group="poverty_policy", needs="",
            decision_number="12/QĐ-UBND", decision_date=date(2023, 12, 20), decided_status="poor",
            override_reason=None), None)
    _db.session.commit()
    return World({k: v.id for k, v in u.items()}, {k: v.id for k, v in users.items()},
                 {k: v.id for k, v in households.items()})


@pytest.fixture(scope="session")
def app():
    with tempfile.TemporaryDirectory() as tmp:
        # Evidence files go to the run's temp dir, never to instance/uploads.
        application = create_app(make_config(database_url(tmp),
                                             UPLOAD_DIR=os.path.join(tmp, "uploads")))
        application.test_client_class = Client
        with application.app_context():
            if _db.engine.dialect.name == "sqlite":
                _sqlite_savepoints(_db.engine)
            reset_database(_db.engine)
            application.config["WORLD"] = build_world()
            _db.session.remove()
        yield application
        with application.app_context():
            _db.session.remove()
            _db.engine.dispose()


def _sqlite_savepoints(engine):
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN."""

    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


@pytest.fixture
def db(app):
    """The database, inside a transaction rolled back after the test (commits become
    savepoints)."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        # A plain SQLAlchemy session bound to the connection (Flask-SQLAlchemy's own session
        # picks the engine itself and would escape the outer transaction).
        _db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=original.registry.scopefunc)
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def world(app, db) -> World:
    return app.config["WORLD"]


@pytest.fixture
def client(app, db) -> Client:
    return app.test_client()


@pytest.fixture
def login_as(client, world):
    """login_as("commune1") → the client, logged in through the real login form."""

    def login(username: str) -> Client:
        client.get("/login")
        response = client.form("/login", {"username": username, "password": PASSWORD})
        assert response.status_code == 303, f"login as {username} failed"
        return client
    return login


def page_text(response) -> str:
    """Visible text of an HTML response, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
