"""The search box answered from an index (migration 0011, households/search.py): the same
households as the plain "contains" scan for 3 characters or more, word starts for 1–2
characters, scoped as every list; the index follows every writer; the plans use it."""
import html

import pytest
from sqlalchemy import event, select, text

from app.core.scoping import scoped
from app.core.text import fold
from app.core.units import AdminUnit
from app.core.users import User
from app.households import services
from app.households.models import Household, Member
from app.households.queries import ListParams, household_query
from app.households.search import (candidates, conditions, fts_phrase, indexed_text,
                                   search_clause)
from tests.conftest import page_text
from tests.core.conftest import scratch_databases  # noqa: F401  (a database of its own)
from tests.imports.conftest import upload_dir  # noqa: F401  (autouse: the import's uploads)
from tests.imports.test_import import imported, layout_households, layout_members

# (code, head, other members, hamlet) added to the world's five households.
PEOPLE = [
    ("DD-1", "Đặng Thị Ánh", ["Đỗ Văn Đức"], "H1"),
    ("DD-2", "Dương Văn Lan", ["Thanh Thị Nga"], "H1b"),
    ("ZZ-9", "Lò Văn A", ["Hà Thị Ân", "Nguyễn Văn Anh"], "H2"),
    ('Q"1', 'Ông O"Neil', ["Near(X) Or Y*", "A* B"], "H3"),
    ("PCT-1", "Bà 100% Lúa_gạo", ["Ông a/b c", "AND NOT"], "H4"),
    ("NEAR-5", "Triệu Thị Đào", ["Vi Văn Đông"], "H5"),
    ("EDE-1", "H'Hen Niê", ["Y\\Bi Ksor", "Nay'); DROP TABLE household; --"], "H1"),
]
QUERIES = [
    # 1–2 letters: word starts
    "đ", "Đ", "d", "a", "A", "ă", "n", "z", "an", "ÁN", "ng", "th", "dd", "hh", "zz", "q\"", "nk",
    "c1", "-", "-1", "1", "10", "*", "a*", "\"", "\"\"", "%", "_", "/", "a/", "|", "n|",
    "or", "OR", "y*", "h'", "'", "\\", "y\\", "na",
    # 3 letters or more: anywhere
    "đặng", "dang", "DANG", "đỗ văn", "do van duc", "van", "van a", "văn an", "thi anh", "ánh",
    "anh|", "ao|vi", "hh-c", "-c1", "zz-9", "q\"1", "o\"neil", "\"ne", "near(", "NEAR(x",
    "near(x) or y*", "or y", "y*", "a* b", "and not", "NOT", "100%", "% l", "lua_gao", "a_g",
    "a/b", "/b c", "đông", "xyz", "\"\"\"", "***", "^an", "{a}", "col:an", "an -bo",
    "h'hen nie", "'h", "y\\bi", "\\bi", "'); drop table household; --", "; drop",
]


def expected(search_text: str, q: str) -> bool:
    """What a query finds, written plainly: anywhere (3+), a word start (1–2)."""
    q = fold(q)
    if len(q) >= 3:
        return q in search_text
    return search_text.startswith(q) or f" {q}" in search_text or f"|{q}" in search_text


def add_household(db, world, code, head, members, hamlet):
    household = services.create_household(
        {"code": code, "head_name": head, "address": "", "policy_group": None},
        db.session.get(AdminUnit, world.units[hamlet]), head={"birth_year": 1970, "sex": "M"})
    for name in members:
        services.add_member(household, {"full_name": name, "sex": "F", "birth_year": 1975,
                                        "relationship_code": "child"})
    db.session.flush()
    return household


@pytest.fixture
def people(db, world):
    for row in PEOPLE:
        add_household(db, world, *row)
    db.session.commit()


def user(db, world, name):
    return db.session.get(User, world.users[name])


def found(db, who, q):
    return set(db.session.scalars(household_query(ListParams(q=q), who)
                                  .with_only_columns(Household.id)))


def found_by(db, who, clause):
    return set(db.session.scalars(scoped(select(Household.id), Household, who).where(clause)))


def index_is_consistent(db):
    """SQLite: FTS5 compares its index with the content (every row, indexed_text) or raises."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text(
            "INSERT INTO household_fts(household_fts, rank) VALUES ('integrity-check', 1)"))
    return True


@pytest.mark.parametrize("username", ["commune1", "district1", "province1", "admin"])
def test_results_are_the_plain_scan_within_the_scope(db, world, people, username):
    who = user(db, world, username)
    visible = {hid: st for hid, st in db.session.execute(
        scoped(select(Household.id, Household.search_text), Household, who))}
    assert visible or username == "admin"
    everything = dict(db.session.execute(select(Household.id, Household.search_text)).all())
    assert len(everything) == 5 + len(PEOPLE)
    some_found = 0
    for q in QUERIES:
        want = {hid for hid, st in visible.items() if expected(st, q)}
        assert found(db, who, q) == want, q
        # Whichever way it is read: from the index's ids, the scope read in order (a broad
        # query, more candidates than `upto`), or no index at all (a commune's list).
        assert found_by(db, who, search_clause(q, wide=True, upto=1)) == want, q
        assert found_by(db, who, search_clause(q, wide=False)) == want, q
        if len(fold(q)) >= 3:   # the old query's answer, unchanged
            assert found_by(db, who, Household.search_text.contains(fold(q), autoescape=True)) \
                == want, q
        some_found += bool(want)
    if username == "province1":
        assert some_found > len(QUERIES) // 2   # the queries do find things


def test_word_starts_and_substrings(db, world, people):
    """The meaning of short and long queries, on named households (province P1)."""
    who = user(db, world, "province1")
    code = {c: hid for hid, c in db.session.execute(select(Household.id, Household.code))}

    def codes(q):
        return {c for c, hid in code.items() if hid in found(db, who, q)}

    # Đặng/Đỗ/Đức and the code DD-1, DD-2 and Dương, Đặng (C1's spouse), Dũng (C4), "DROP"
    assert codes("đ") == codes("d") == {"DD-1", "DD-2", "HH-C1", "HH-C4", "EDE-1"}
    assert codes("h'") == {"EDE-1"} == codes("y\\") and codes("'") == set()
    # An, Anh, Ánh, Ân, AND — not Lan (DD-2, Dương Văn Lan) nor Thanh
    assert codes("an") == {"HH-C1", "HH-C2", "HH-C3", "DD-1", "ZZ-9", "PCT-1"}
    assert "DD-2" not in codes("an") and "DD-2" in codes("lan")   # "lan" is 3 letters: anywhere
    assert codes("hh") == {"HH-C1", "HH-C2", "HH-C3", "HH-C4"}     # the code's start; C5 is P2
    assert codes("c1") == set() and codes("-c1") == {"HH-C1"}
    assert codes("a") >= {"DD-1", "ZZ-9", "Q\"1"}                  # Ánh, A, "A* B"
    assert codes('"') == set()                                     # no word starts with "
    assert codes('q"') == {'Q"1'} == codes('o"neil') == codes("near(x) or y*")
    assert codes("or") == {'Q"1'} and codes("NOT") == {"PCT-1"} and codes("y*") == {'Q"1'}
    assert codes("100%") == {"PCT-1"} and codes("%") == set() and codes("_") == set()
    assert codes("lua_gao") == {"PCT-1"} and codes("a_g") == {"PCT-1"} and codes("aag") == set()


def test_a_query_cannot_speak_fts5():
    assert fts_phrase('near(x) or "y" *') == '"near(x) or ""y"" *"'
    assert indexed_text("hh-1|nguyen van a") == "  hh-1|  nguyen  van  a"


def test_the_search_page_uses_it(login_as, world, people):
    client = login_as("province1")
    body = page_text(client.htmx_get("/households/?q=Đỗ+Văn", target="hh-results"))
    assert "DD-1" in body and "HH-C1" not in body
    body = html.unescape(page_text(client.htmx_get("/households/?q=NEAR(", target="hh-results")))
    assert 'Ông O"Neil' in body and "NEAR-5" not in body   # NEAR-5 is in P2


def test_index_follows_form_edits_members_and_soft_delete(db, world, people):
    who = user(db, world, "province1")
    household = db.session.scalar(select(Household).where(Household.code == "DD-1"))
    assert found(db, who, "do van duc") == {household.id} == found(db, who, "dd-1")

    hamlet = db.session.get(AdminUnit, household.hamlet_id)
    services.update_household(household, {"code": "EE-1", "head_name": "Khổng Minh Tú",
                                           "address": "", "policy_group": None}, hamlet,
                              household.version)
    db.session.commit()
    assert found(db, who, "dang thi") == {world.households["C1"]}   # only C1's spouse now
    assert found(db, who, "dd-1") == set()
    assert found(db, who, "khong minh") == {household.id} == found(db, who, "ee-1")
    assert household.id in found(db, who, "kh") and index_is_consistent(db)

    member = services.add_member(household, {"full_name": "Ksor Hờ Rin", "sex": "F",
                                             "birth_year": 2001, "relationship_code": "child"})
    db.session.commit()
    assert found(db, who, "ho rin") == {household.id} and household.id in found(db, who, "ks")
    services.delete_member(member, household, "Chuyển đi", member.version)
    db.session.commit()
    assert found(db, who, "ho rin") == set() and index_is_consistent(db)
    assert found(db, who, "do van duc") == {household.id}   # the other member stays

    services.delete_household(household, "Nhập trùng", household.version)
    db.session.commit()
    assert found(db, who, "khong minh") == set() and index_is_consistent(db)
    # Deleted rows leave the answer through the scope (deleted_at), their index entry stays.
    hid = db.session.scalar(select(Household.id).where(Household.code == "EE-1"))
    assert hid == household.id


def test_index_follows_rows_deleted_and_written_directly(db, world, people):
    """Writers that skip the ORM (bulk SQL, a purge) are followed by the triggers too."""
    who = user(db, world, "province1")
    hid = db.session.scalar(select(Household.id).where(Household.code == "ZZ-9"))
    db.session.execute(text("UPDATE household SET search_text = 'zz-9|vang a pao' WHERE id = :i"),
                       {"i": hid})
    assert found(db, who, "pao") == {hid} and found(db, who, "lo van a") == set()
    db.session.execute(text("UPDATE household SET note = 'x' WHERE id = :i"), {"i": hid})
    assert found(db, who, "vang a") == {hid}
    db.session.execute(text("DELETE FROM review WHERE household_id = :i"), {"i": hid})
    db.session.execute(text("DELETE FROM member WHERE household_id = :i"), {"i": hid})
    db.session.execute(text("DELETE FROM household WHERE id = :i"), {"i": hid})
    assert found(db, who, "pao") == set() and index_is_consistent(db)


def test_import_writes_are_indexed(login_as, db, world):
    client = login_as("commune1")
    imported(client, layout_households())
    who = user(db, world, "commune1")
    ids = dict(db.session.execute(select(Household.code, Household.id)
                                  .where(Household.code.in_(["NK-01", "NK-02"]))).all())
    assert found(db, who, "tran van bay") == {ids["NK-01"]}
    assert found(db, who, "nk") == {ids["NK-01"], ids["NK-02"]}
    assert found(db, who, "nguyen thi chin") == set()
    imported(client, layout_members())   # NK-01 gains a member: an update of its search text
    assert found(db, who, "nguyen thi chin") == {ids["NK-01"]}
    assert found(db, who, "le thi tam") == {ids["NK-02"]} and index_is_consistent(db)
    assert db.session.scalar(select(Member.id).where(Member.full_name == "Nguyễn Thị Chín"))


def _plan(db, stmt) -> str:
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(str(r[-1]) for r in rows) + "\n"
    db.session.execute(text("SET LOCAL enable_seqscan = off"))   # a tiny table: force the choice
    return "\n".join(r[0] for r in db.session.execute(text(f"EXPLAIN {compiled}")))


@pytest.mark.parametrize("q", ["nguyen van", "ng", "đ", 'o"ne'])
def test_plans_use_the_index(db, world, people, q):
    if db.engine.dialect.name == "sqlite":
        # The index is asked for candidates…
        plan = _plan(db, candidates(conditions(q)[1], 10))
        assert "household_fts VIRTUAL TABLE INDEX" in plan, plan
        # …and a district's or a province's list reads those rows by id, not the scope.
        plan = _plan(db, household_query(ListParams(q=q), user(db, world, "province1")))
        assert "SEARCH household USING INTEGER PRIMARY KEY" in plan, plan
        assert "SCAN household\n" not in plan and "household_province" not in plan, plan
    else:
        plan = _plan(db, select(Household.id).where(search_clause(q)))
        assert "ix_household_search_trgm" in plan, plan
        assert "Seq Scan" not in plan, plan


def test_postgresql_reads_the_list_in_its_order_and_plans_each_search(db, world, people):
    """PostgreSQL: a page of a province's list comes from an index in name order (no sort of
    every matching row), and the search pattern is in the SQL text, so no prepared plan made
    for any pattern is reused for a broad one."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    stmt = household_query(ListParams(q="nguyen"), user(db, world, "province1"))
    db.session.execute(text("SET LOCAL enable_sort = off"))
    plan = _plan(db, stmt.order_by(Household.head_name_folded, Household.id).limit(25))
    assert "ix_household_province_live_name" in plan and "Sort" not in plan, plan
    sent = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.execute(stmt).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    statement, parameters = sent[-1]
    assert "LIKE '%%nguyen%%'" in statement and "nguyen" not in str(parameters), sent[-1]


def test_backup_and_restore_keep_the_index(scratch_databases, tmp_path):
    """The index is derived data: left out of the backup's figures, working after a restore
    (SQLite: rebuilt from the restored rows; PostgreSQL: pg_dump carries the extension and the
    index)."""
    from flask_migrate import upgrade

    from app import create_app, demo
    from app.extensions import db as _db
    from app.ops import backup
    from tests.conftest import make_config
    source_url, target_url = scratch_databases("search_src"), scratch_databases("search_dst")
    archive, uploads = str(tmp_path / "b.tar.gz"), tmp_path / "uploads"
    source = create_app(make_config(source_url, UPLOAD_DIR=str(uploads)))
    with source.app_context():
        upgrade()
        demo.load(40, 5)
        _db.session.commit()
        hid, head = _db.session.execute(select(Household.id, Household.head_name_folded)
                                        .order_by(Household.id.desc()).limit(1)).one()
        _db.session.remove()
    manifest = backup.backup(source_url, str(uploads), archive)
    assert "household" in manifest["tables"]
    assert not [t for t in manifest["tables"] if t.startswith("household_fts")]

    target = create_app(make_config(target_url, UPLOAD_DIR=str(tmp_path / "restored")))
    backup.restore(target_url, str(tmp_path / "restored"), archive)
    with target.app_context():
        clause = search_clause(head, wide=True)
        assert hid in set(_db.session.scalars(select(Household.id).where(clause)))
        if _db.engine.dialect.name == "sqlite":
            assert index_is_consistent(_db)
        else:
            assert _db.session.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = "
                                           "'ix_household_search_trgm'")) == 1
        _db.session.remove()
        _db.engine.dispose()
