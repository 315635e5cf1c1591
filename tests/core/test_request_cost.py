"""What every request costs, kept from growing back (issue 15.2): the signed-in user is read
once per request (the view row's commit expires nothing), the view row is one INSERT with the
same content as before, template texts keep following the request's locale although the
catalogue is looked up once per request, and a PostgreSQL connection is checked only after it
has sat idle in the pool (app/extensions.py ping_when_idle) — yet a dead one is still replaced."""
import time

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from app.core.audit import AuditLog
from app.extensions import ping_when_idle


def statements_during(engine, action) -> list[str]:
    seen = []

    def listener(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


@pytest.mark.parametrize("url", ["/households/", "/households/?q=nguyen"])
def test_a_page_reads_the_signed_in_user_once(url, login_as, db, world):
    client = login_as("commune1")
    responses = []
    statements = statements_during(db.engine, lambda: responses.append(client.get(url)))
    assert responses[0].status_code == 200
    user_reads = [s for s in statements if "FROM user_account" in s]
    assert len(user_reads) == 1, user_reads
    # …and its view row was still written, by that user, naming the households shown.
    row = db.session.scalars(select(AuditLog).where(AuditLog.action == "view")
                             .order_by(AuditLog.id.desc())).first()
    assert row.user_id == world.users["commune1"] and row.entity == "household"
    assert row.entity_id is None and row.before is None
    assert row.after["household"] and row.ip == "127.0.0.1" and row.at is not None


def test_case_page_view_row_is_one_insert(login_as, db, world):
    client = login_as("commune1")
    household_id = world.households["C1"]
    statements = statements_during(db.engine,
                                   lambda: client.get(f"/households/{household_id}"))
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "audit_log" in inserts[0]
    row = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (row.action, row.entity, row.entity_id) == ("view", "household", household_id)


def test_template_texts_follow_a_locale_forced_within_the_request(app):
    template = "{{ _('Hộ gia đình') }}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "Hộ gia đình"
        with force_locale("en"):
            assert render_template_string(template) == "Households"
        assert render_template_string(template) == "Hộ gia đình"


def test_list_rows_are_labelled_in_the_sessions_language(login_as, client, world):
    login_as("commune1")
    html = client.get("/households/").get_data(as_text=True)
    assert html.count('data-label="Mã hộ"') >= 1 and 'data-label="Household code"' not in html
    rows = html.count('data-label="Mã hộ"')
    client.form("/language", {"lang": "en", "next": "/households/"})
    html = client.get("/households/").get_data(as_text=True)
    assert html.count('data-label="Household code"') == rows and "Mã hộ" not in html
    assert f'href="/households/{world.households["C1"]}"' in html


def _postgres_url(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pool checks are for a database server (SQLite is a file)")
    return db.engine.url


def _kill(url, pid):
    killer = create_engine(url, poolclass=QueuePool)
    with killer.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    time.sleep(0.2)


@pytest.mark.parametrize("checked", [True, False])
def test_connection_killed_while_idle_is_replaced(checked, db):
    """With the check, a pooled connection the server closed while it sat idle is replaced
    before use; without it (idle time under the threshold) the request would fail."""
    url = _postgres_url(db)
    engine = create_engine(url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, 0 if checked else 3600)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        _kill(url, pid)
        if checked:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        else:
            with pytest.raises(DBAPIError), engine.connect() as conn:
                conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
