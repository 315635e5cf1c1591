"""Core pieces: accent folding, Vietnamese formats, migrations ≡ models, append-only audit,
scoping that fails closed."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from app.core import scoping, text
from app.core.audit import AppendOnlyError, AuditLog
from app.core.units import HAMLET, AdminUnit
from app.core.users import Role, User
from app.extensions import db as _db
from app.households.models import Household
from app.households.search import include_object


@pytest.mark.parametrize("raw,folded", [
    ("Nguyễn Văn A", "nguyen van a"),
    ("Đặng Thị Ánh", "dang thi anh"),
    ("  PHẠM   Thị  ÁNH ", "pham thi anh"),
    ("Hoàng Đức Lực", "hoang duc luc"),
    ("Ơ Đu, Bru-Vân Kiều", "o du, bru-van kieu"),
    ("Nguye\u0302\u0303n", "nguyen"),  # decomposed input (NFD) folds the same
    ("", ""), (None, ""),
])
def test_fold(raw, folded):
    assert text.fold(raw) == folded


def test_clean_stores_nfc():
    assert text.clean(" Nguye\u0302\u0303n  Văn ") == "Nguyễn Văn"


def test_formats(app):
    from datetime import date, datetime
    assert text.format_number(314947) == "314.947"
    assert text.format_vnd(24000000) == "24.000.000 đ"
    assert text.format_date(date(1958, 3, 12)) == "12/03/1958"
    with app.test_request_context():   # stored UTC, shown in Vietnam's time (UTC+7)
        assert text.format_date(datetime(2026, 1, 5, 8, 30)) == "05/01/2026 15:30"
        assert text.format_date(datetime(2026, 12, 7, 23, 30)) == "08/12/2026 06:30"
    assert text.format_percent(10871, 314947) == "3,45"
    assert text.format_percent(1, 0) == "0,00"
    assert text.format_percent(1, 800) == "0,13"   # half up, like the official tables
    assert text.mask_id("042158000123") == "••••••••0123"


def test_migrations_match_models(app, db):
    """`flask db migrate` would find nothing to do: every schema change has its migration."""
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diff = compare_metadata(context, _db.metadata)
    assert diff == []


def test_audit_log_is_append_only(db):
    db.session.add(AuditLog(action="test", entity="x", entity_id=1))
    db.session.commit()
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "test"))
    row.action = "changed"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditLog).where(AuditLog.action == "test")))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def _visible_codes(db, user):
    return sorted(db.session.scalars(scoping.scoped(select(Household.code), Household, user)))


def test_scope_is_one_predicate_per_level(db, world):
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert _visible_codes(db, users["commune1"]) == ["HH-C1"]
    assert _visible_codes(db, users["district1"]) == ["HH-C1", "HH-C2"]
    assert _visible_codes(db, users["province1"]) == ["HH-C1", "HH-C2", "HH-C3", "HH-C4"]
    where = str(scoping.scope_clause(Household, users["province1"]))
    assert where == "household.province_id = :province_id_1"


def test_scope_fails_closed(db, world):
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert _visible_codes(db, users["nounit"]) == []
    assert _visible_codes(db, users["sponsor1"]) == []
    assert _visible_codes(db, users["admin"]) == []
    assert _visible_codes(db, _Anonymous()) == []
    inactive = users["commune1"]
    inactive.active = False
    assert _visible_codes(db, inactive) == []
    inactive.active = True
    unit = db.session.get(AdminUnit, world.units["C1"])
    unit.is_active = False
    assert _visible_codes(db, inactive) == []


class _Anonymous:
    is_authenticated = False
    is_active = False
    role = Role.COMMUNE
    unit = None


def test_units_in_scope(db, world):
    users = {u.username: u for u in db.session.scalars(select(User))}
    hamlets = db.session.scalars(scoping.units_in_scope(HAMLET, users["district1"])).all()
    assert {h.id for h in hamlets} == {world.units[k] for k in ("H1", "H1b", "H2")}
    assert scoping.unit_in_scope_or_none(world.units["H3"], HAMLET, users["district1"]) is None
    assert scoping.unit_in_scope_or_none("not-a-number", HAMLET, users["district1"]) is None
    assert scoping.unit_in_scope_or_none(world.units["C1"], HAMLET, users["commune1"]) is None


def test_get_scoped_or_404(app, db, world):
    from werkzeug.exceptions import NotFound
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert scoping.get_scoped_or_404(Household, world.households["C2"], users["district1"])
    for bad in (world.households["C3"], "abc", None, 10**9):
        with pytest.raises(NotFound):
            scoping.get_scoped_or_404(Household, bad, users["district1"])


def test_unit_tree_without_district(db, world):
    commune = db.session.get(AdminUnit, world.units["C4"])
    assert commune.parent.level == "province"
    hamlet = db.session.get(AdminUnit, world.units["H4"])
    lineage = hamlet.lineage()
    assert lineage["district"] is None and lineage["province"] == world.units["P1"]
    assert hamlet.full_name() == "Thôn C4, Phường Bốn, Tỉnh Một"


def test_pages_call_no_third_party_and_send_security_headers(login_as, world):
    client = login_as("commune1")
    response = client.get(f"/households/{world.households['C1']}")
    html = response.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html  # no CDN, no tracker
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]
    assert "vendor/htmx-2.0.11/htmx.min.js" in html


@pytest.mark.parametrize("typed,value", [
    ("24.000.000", 24_000_000), ("24,000,000", 24_000_000), ("24 000 000", 24_000_000),
    ("24000000", 24_000_000), ("24.000.000 đ", 24_000_000), ("1.500.000đ", 1_500_000),
    ("500 VND", 500), ("-200.000", -200_000), ("0", 0),
])
def test_parse_vnd(typed, value):
    assert text.parse_vnd(typed) == value


@pytest.mark.parametrize("typed", ["24.000.000,5", "1.5", "1,50", "24.000,000", "abc", "", "1..000",
                                   "12.34.567", "--5", "1e6", "9" * 16])
def test_parse_vnd_refuses(typed):
    with pytest.raises(ValueError):
        text.parse_vnd(typed)
