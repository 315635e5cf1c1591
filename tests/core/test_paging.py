"""core.paging: one page and the total, the count skipped on the last page; and the lists that
use it, through HTTP."""
import re

import pytest
from sqlalchemy import event, select

from app.core.paging import paginate
from app.extensions import db as _db
from app.households.models import Household
from tests.conftest import page_text


@pytest.fixture
def counts_run(db):
    """The COUNT statements the database receives."""
    seen = []

    def listen(conn, cursor, statement, *args):
        if "count(" in statement.lower():
            seen.append(statement)
    engine = _db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", listen)
    yield seen
    event.remove(engine, "before_cursor_execute", listen)


def test_page_and_total_without_a_count_on_the_last_page(db, counts_run):
    stmt = select(Household).order_by(Household.id)
    everyone = db.session.scalars(stmt).all()
    n = len(everyone)
    assert n == 5                                             # the test world's households
    first = paginate(stmt, 1, 2)
    assert (first.rows, first.total, first.pages, first.has_next) == (everyone[:2], n, 3, True)
    assert len(counts_run) == 1
    last = paginate(stmt, 3, 2)
    assert (last.rows, last.total, last.has_next) == (everyone[4:], n, False)
    assert len(counts_run) == 1                               # the total followed from the page
    beyond = paginate(stmt, 4, 2)
    assert (beyond.rows, beyond.total) == ([], n)             # an empty page past the end: counted
    assert len(counts_run) == 2
    whole = paginate(stmt, 1, 10)
    assert (whole.total, whole.pages) == (n, 1) and len(counts_run) == 2
    uncounted = paginate(stmt, 1, 5, count=False)
    assert (uncounted.total, uncounted.has_next) == (None, True) and len(counts_run) == 2
    pairs = paginate(select(Household.code, Household.id).order_by(Household.id), 2, 2, scalars=False)
    assert [tuple(r) for r in pairs.rows] == [(h.code, h.id) for h in everyone[2:4]]


@pytest.mark.parametrize("page, shown", [("1", "Trang 1 / 2 · 4 kết quả"),
                                         ("2", "Trang 2 / 2 · 4 kết quả"),
                                         ("9", "Trang 9 / 2 · 4 kết quả"),
                                         ("abc", "Trang 1 / 2 · 4 kết quả"),
                                         ("-3", "Trang 1 / 2 · 4 kết quả")])
def test_household_list_pages(app, login_as, page, shown):
    client = login_as("province1")                           # C1–C4: four households
    previous = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 3
    try:
        text = page_text(client.get(f"/households/?page={page}"))
    finally:
        app.config["PAGE_SIZE"] = previous
    assert shown in text


def test_audit_log_pages_by_fifty(login_as):
    client = login_as("admin")
    assert client.get("/admin/audit?page=abc").status_code == 200
    assert client.get("/admin/audit?page=100000000000000000000").status_code == 200


def test_a_large_result_says_more_than_the_limit(app, login_as, monkeypatch):
    """Past COUNT_LIMIT matches the list stops counting and says "hơn N"; the next page is
    still offered, and a page past the limit counts up to itself."""
    from app.households import queries
    monkeypatch.setattr(queries, "COUNT_LIMIT", 1)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    client = login_as("district1")          # two households in district D1
    first = client.get("/households/").get_data(as_text=True)
    assert "Trang 1 · hơn 1 kết quả" in first
    assert re.search(r'href="/households/\?[^"]*page=2[^"]*"', first)
    second = client.get("/households/?page=2").get_data(as_text=True)
    assert "Trang 2 / 2 · 2 kết quả" in second and "?page=3" not in second
    monkeypatch.setattr(queries, "COUNT_LIMIT", 2000)
    assert "Trang 1 / 2 · 2 kết quả" in client.get("/households/").get_data(as_text=True)
