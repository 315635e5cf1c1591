"""One clock: at 23:30 UTC on 14 March it is 06:30 on 15 March in Vietnam. "Today" is the 15th
for every rule, stored timestamps stay UTC, and pages show them in Vietnam's time. (A date
years from the real one, so a rule that reads the machine's own clock fails here.)"""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit import AuditLog
from app.supports.models import Support
from tests.conftest import page_text
from tests.supports.test_support_routes import form, post

FROZEN = datetime(2031, 3, 14, 23, 30, tzinfo=timezone.utc)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "_utc_now", lambda: FROZEN)


def test_today_is_vietnams_date_and_stored_times_are_utc(app, frozen):
    with app.app_context():
        assert clock.today() == date(2031, 3, 15)
        assert clock.now().hour == 6 and clock.now().utcoffset().total_seconds() == 7 * 3600
        assert clock.utcnow() == datetime(2031, 3, 14, 23, 30)


def test_a_support_delivered_today_in_vietnam_is_not_in_the_future(login_as, world, db, frozen):
    client = login_as("commune1")
    today = post(client, world, form(delivered_on="15/03/2031"))
    assert today.status_code == 200, page_text(today)
    assert db.session.scalar(select(Support).order_by(Support.id.desc())).delivered_on == \
        date(2031, 3, 15)
    tomorrow = post(client, world, form(delivered_on="16/03/2031"))
    assert tomorrow.status_code == 422 and "Ngày không được ở tương lai" in page_text(tomorrow)


def test_audit_time_is_stored_utc_and_shown_in_vietnam_time(login_as, db, frozen):
    login_as("commune1").form("/logout")
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "login")
                            .order_by(AuditLog.id.desc()))
    assert row.at == datetime(2031, 3, 14, 23, 30)
    admin = login_as("admin")
    assert "15/03/2031 06:30" in page_text(admin.get("/admin/audit"))
