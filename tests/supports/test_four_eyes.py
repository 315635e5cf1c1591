"""Four eyes: the user who recorded a support cannot verify it, one at a time or in bulk;
a colleague of the commune can. The queue shows one's own rows with the button disabled."""
import re

from sqlalchemy import func, select

from app.core.audit import AuditLog
from app.supports.models import Support
from tests.conftest import page_text
from tests.supports.helpers import colleague, support

REFUSED = "Người ghi khoản hỗ trợ không tự xác minh được"


def state(db, row):
    db.session.expire_all()
    return db.session.get(Support, row.id)


def verify_audits(db):
    return db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "verify", AuditLog.entity == "support"))


def test_the_recorder_cannot_verify_his_own_support(login_as, world, db):
    own = support(world)                       # recorded by commune1
    db.session.commit()
    before = verify_audits(db)
    client = login_as("commune1")
    response = client.form(f"/supports/{own.id}/verify", htmx=True)
    assert response.status_code == 403 and REFUSED in page_text(response)
    plain = client.form(f"/supports/{own.id}/verify")
    assert plain.status_code == 403 and REFUSED in page_text(plain)
    row = state(db, own)
    assert row.verification == "pending" and row.verified_by_id is None
    assert verify_audits(db) == before


def test_a_colleague_verifies_it(login_as, world, db):
    own = support(world)
    colleague(world)
    db.session.commit()
    response = login_as("commune1b").form(f"/supports/{own.id}/verify", htmx=True)
    assert response.status_code == 200 and "Đã xác minh" in page_text(response)
    row = state(db, own)
    assert row.verification == "verified" and row.verified_by_id == colleague(world).id


def test_bulk_verification_leaves_ones_own_supports_pending(login_as, world, db):
    own = support(world, description="Tự ghi")
    other = support(world, by=colleague(world), description="Đồng nghiệp ghi")
    db.session.commit()
    before = verify_audits(db)
    client = login_as("commune1")
    response = client.form("/supports/verify", {"ids": [str(own.id), str(other.id)]})
    assert response.status_code == 303
    assert state(db, own).verification == "pending"
    assert state(db, other).verification == "verified"
    assert verify_audits(db) == before + 1
    text = page_text(client.get("/supports/verify"))
    assert "Đã xác minh 1 khoản hỗ trợ." in text and REFUSED in text


def test_queue_disables_the_button_on_ones_own_rows(login_as, world, db):
    own = support(world)
    other = support(world, by=colleague(world))
    db.session.commit()
    html = login_as("commune1").get("/supports/verify").get_data(as_text=True)

    def row(s):
        return re.search(rf'<tr id="verify-row-{s.id}".*?</tr>', html, re.S)[0]

    assert "Người ghi không tự xác minh" in row(own)
    assert re.search(r'<button class="btn btn-primary btn-small" type="submit" disabled', row(own))
    assert re.search(r'name="ids" value="\d+" form="bulk-verify" disabled', row(own))
    assert "Người ghi không tự xác minh" not in row(other)
    assert " disabled" not in row(other)
