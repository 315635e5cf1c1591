"""Bulk verification from the queue: several supports verified in one POST, each through the
same service (and audit row) as one at a time; an id outside the officer's scope is a 404 and
nothing is written."""
from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.supports import services
from app.supports.models import Support
from tests.conftest import page_text
from tests.funds import helpers as h
from tests.supports.helpers import colleague


def _states(db, *supports):
    db.session.expire_all()
    return [db.session.get(Support, s.id).verification for s in supports]


def _verify_audits(db, *supports):
    return db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "verify", AuditLog.entity == "support",
        AuditLog.entity_id.in_([s.id for s in supports])))


def test_queue_offers_the_boxes(db, world, login_as):
    first = h.support(world)
    db.session.commit()
    page = login_as("commune1").get("/supports/verify").get_data(as_text=True)
    assert 'id="bulk-verify"' in page
    assert f'name="ids" value="{first.id}" form="bulk-verify"' in page


def test_bulk_verifies_each_with_its_audit(db, world, login_as):
    first, second, left = (h.support(world, value=v) for v in (1_000_000, 2_000_000, 3_000_000))
    officer = colleague(world).id            # four eyes: not the officer who recorded them
    db.session.commit()
    client = login_as("commune1b")
    response = client.form("/supports/verify", {"ids": [str(first.id), str(second.id)]})
    assert response.status_code == 303 and response.headers["Location"].endswith("/supports/verify")
    assert _states(db, first, second, left) == ["verified", "verified", "pending"]
    assert _verify_audits(db, first, second) == 2
    assert {db.session.get(Support, s.id).verified_by_id for s in (first, second)} == {officer}
    assert "Đã xác minh 2 khoản hỗ trợ." in page_text(client.get("/supports/verify"))


def test_a_foreign_id_is_a_404_and_nothing_is_written(db, world, login_as):
    mine = h.support(world)
    foreign = h.support(world, commune="C3", officer="commune3")
    db.session.commit()
    before = db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "verify"))
    response = login_as("commune1").form("/supports/verify", {"ids": [str(mine.id), str(foreign.id)]})
    assert response.status_code == 404
    assert _states(db, mine, foreign) == ["pending", "pending"]
    assert db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "verify")) == before


def test_one_decided_meanwhile_is_named_and_the_rest_verified(db, world, login_as):
    first, rejected = h.support(world, value=1_000_000), h.support(world, value=2_000_000)
    services.reject(rejected, "Hộ chưa nhận được", h.user(world, "commune1"))
    colleague(world)
    db.session.commit()
    client = login_as("commune1b")
    response = client.form("/supports/verify", {"ids": [str(first.id), str(rejected.id)]})
    assert response.status_code == 303
    assert _states(db, first, rejected) == ["verified", "rejected"]
    text = page_text(client.get("/supports/verify"))
    assert "Đã xác minh 1 khoản hỗ trợ." in text and "HH-C1" in text and "chưa được xác minh" in text


def test_nothing_ticked_writes_nothing(db, world, login_as):
    first = h.support(world)
    db.session.commit()
    client = login_as("commune1")
    assert client.form("/supports/verify", {}).status_code == 303
    assert _states(db, first) == ["pending"]
    assert "Chưa chọn khoản hỗ trợ nào" in page_text(client.get("/supports/verify"))


def test_other_roles_may_not(db, world, login_as):
    first = h.support(world)
    db.session.commit()
    assert login_as("district1").form("/supports/verify", {"ids": [str(first.id)]}).status_code == 403
    assert _states(db, first) == ["pending"]
