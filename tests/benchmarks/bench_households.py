"""Benchmark of the household list, search and case pages (a command that prints figures, not
a timed test).

    python -m tests.benchmarks.bench_households [--households N] [--seed S] [--repeat R]
                                                [--database-url URL] [--keep]

Builds a scratch database with the real migrations and the deterministic demo province
(`app.demo.load`), logs in through the real login form, then times each page through Flask
(test client: routing, session, scoping, queries, template rendering) and, beside it, the
raw SQL those pages run (the statements captured from `list_page` / `get_scoped_or_404` /
`active_members`, replayed on a DBAPI cursor; a search over a district or a province also asks
the search index first, households/search.py, and that query is part of both figures).

Goals (issue 15), at 300,000 households: the commune officer `xa1`'s pages ≤ 5 ms (SQLite);
the district (`huyen1`) and province (`tinh1`) officers' narrow and broad searches ≤ 50 ms on
SQLite and on PostgreSQL; the province list ≤ 20 ms. "prefix" (a two-letter query: word
starts, households/search.py) is printed for information.

`--database-url` names an empty database (e.g. PostgreSQL); a database that already holds
demo data (kept by an earlier `--keep` run) is migrated and reused instead of rebuilt.
Without `--keep`, whatever this run created is dropped at the end. On PostgreSQL the demo's
bulk inserts go through COPY (use_copy) and the server's settings are printed.

`--save PATH` writes the figures as JSON; `--compare PATH` prints, beside each figure, its
ratio to those of an earlier run (e.g. 300,000 → 3,000,000 households).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager

from sqlalchemy import event, func, inspect, select, text

from app import create_app
from app.config import TestConfig
from app.core.users import User
from app.extensions import db

DEMO_PASSWORD = "demo12345"
# (user, page) → goal in ms (median Flask time at 300k); "sqlite": that goal is for SQLite only.
GOALS_MS = {**{("xa1", page): (5, "sqlite") for page in ("list", "narrow", "broad", "case")},
            **{(user, page): (50, None) for user in ("huyen1", "tinh1")
               for page in ("narrow", "broad")},
            ("tinh1", "list"): (20, None)}
SCENARIOS = ("list", "narrow", "broad", "prefix", "case")
PREFIX = "ng"    # two letters: word starts
USERS = ("xa1", "huyen1", "tinh1")
PG_SETTINGS = ("server_version", "shared_buffers", "effective_cache_size", "work_mem",
               "maintenance_work_mem", "random_page_cost", "max_wal_size", "synchronous_commit",
               "max_parallel_workers_per_gather", "jit")
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "hh-results"}


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_config(url: str):
    return type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})


COPY_TABLES = {"household", "member", "review", "review_deprivation", "review_cause",
               "plan_item", "support"}   # the big ones; COPY's text input takes no 1.0 for 1


def use_copy(engine):
    """PostgreSQL: the bulk inserts of the demo data into the big tables (an executemany of one
    plain INSERT, as app.demo and the domains' demo modules write) go through COPY instead: the
    same rows, several times faster. Any other statement is left to the driver."""
    shape = re.compile(r"INSERT INTO (\w+) \(([^()]*)\) VALUES \((.*)\)", re.S)
    # psycopg's placeholders carry a cast: %(id)s::INTEGER, %(d)s::TIMESTAMP WITHOUT TIME ZONE
    placeholder = re.compile(r"%\((\w+)\)s(?:::[\w ]+(?:\([\d, ]*\))?)?")
    copied = {}

    @event.listens_for(engine, "do_executemany")
    def copy_rows(cursor, statement, parameters, context):
        found = shape.fullmatch(statement.strip())
        if not found or found.group(1) not in COPY_TABLES or not parameters \
                or not isinstance(parameters[0], dict):
            return None
        values = found.group(3)
        if placeholder.sub("", values).replace(",", "").strip():
            return None            # a literal or an SQL expression among the values
        keys = placeholder.findall(values)
        with cursor.copy(f"COPY {found.group(1)} ({found.group(2)}) FROM STDIN") as copy:
            for row in parameters:
                copy.write_row([row[k] for k in keys])
        copied[found.group(1)] = copied.get(found.group(1), 0) + len(parameters)
        return True

    @event.listens_for(db.session, "do_orm_execute")
    def one_statement(state):
        # An ORM bulk insert leaves out the keys whose value is None, so rows with None in
        # different columns become different statements: short runs, row by row. With the
        # NULLs written, the demo's batches stay whole (one COPY each).
        if state.is_insert:
            state.update_execution_options(render_nulls=True)

    return copied


def log(message: str):
    print(message, flush=True)


# Build ------------------------------------------------------------------------------------

def existing_demo(app) -> bool:
    """True when the database already holds demo data (reuse it); exit when it holds anything
    else; False when it is empty (build it)."""
    from app.households.models import Household
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        if "household" in tables and db.session.scalar(
                select(func.count()).select_from(Household)):
            return True
        if tables:
            sys.exit(f"Refusing to use a database that already has tables: {sorted(tables)[:5]}…")
        return False


def build(app, households: int, seed: int, reuse: bool):
    """Migrate (to head) and, on an empty database, load the demo province."""
    from flask_migrate import upgrade

    from app import demo
    with app.app_context():
        if reuse:
            started = time.perf_counter()
            upgrade()
            count = db.session.scalar(text("SELECT count(*) FROM household"))
            log(f"Reusing existing demo data: {count:,} households "
                f"(migrated to head in {time.perf_counter() - started:.1f} s)")
            return
        started = time.perf_counter()
        upgrade()
        migrated = time.perf_counter()
        copied = use_copy(db.engine) if db.engine.dialect.name == "postgresql" else None

        def progress(done, total):
            if done % 50000 == 0:
                print(f"  … {done:,}/{total:,} households "
                      f"({time.perf_counter() - migrated:.0f} s)", file=sys.stderr, flush=True)

        demo.load(households=households, seed=seed, progress=progress)
        loaded = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            # Autovacuum would analyse the freshly loaded tables within a minute in production
            # (and set the visibility map index-only scans need): done here before timing.
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM (ANALYZE)"))
        from app.households.models import Member
        members = db.session.scalar(select(func.count()).select_from(Member))
        log(f"Build: migrations {migrated - started:.1f} s, demo data {loaded - migrated:.1f} s "
            f"({households:,} households, {members:,} members), total "
            f"{time.perf_counter() - started:.1f} s")
        if copied:
            log("Loaded with COPY: " + ", ".join(f"{t} {n:,}" for t, n in sorted(copied.items())))


def drop(app):
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


def scratch_arguments(doc: str, repeat: int) -> argparse.ArgumentParser:
    """The options every benchmark on the demo province shares."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=300000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch database (and print where it is)")
    return parser


@contextmanager
def scratch_app(args):
    """(app, url) on the benchmark's database: a fresh SQLite file, or --database-url (built
    when empty, reused when it holds demo data); what this run created is dropped at the end
    unless --keep."""
    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.mkdtemp(prefix="bench-")
        url = "sqlite:///" + os.path.join(tmp, "bench.db")
    url = normalise_url(url)
    app = create_app(make_config(url))
    log(f"Database: {re.sub(r'//[^@/]*@', '//', url)}")
    reuse = existing_demo(app)
    try:
        build(app, args.households, args.seed, reuse)
        yield app, url
    finally:
        if args.keep:
            log(f"Kept the database: {re.sub(r'//[^@/]*@', '//', url)}")
        else:
            if not reuse and args.database_url:
                drop(app)
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)


# Choosing realistic parameters ------------------------------------------------------------

def choose_params(app) -> dict:
    """The filter, the search terms and the household, all taken from xa1's commune."""
    from app.households.models import Household, Member
    from app.households.queries import ListParams, household_query
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "xa1"))
        commune_id = user.unit_id
        # The largest hamlet of the commune, filtered to ethnic-minority households: a
        # typical "who in this hamlet needs the ethnic-minority programme" view.
        hamlet_id, _n = db.session.execute(
            select(Household.hamlet_id, func.count()).where(Household.commune_id == commune_id)
            .group_by(Household.hamlet_id).order_by(func.count().desc(), Household.hamlet_id)
            .limit(1)).one()
        list_args = {"hamlet": str(hamlet_id), "flag": "ethnic"}

        def matches(term):
            stmt = household_query(ListParams(q=term), user)
            return db.session.scalar(stmt.with_only_columns(func.count()).order_by(None))

        # Narrow: a full person's name found in only a few households of the commune.
        candidates = db.session.execute(
            select(Member.name_folded, func.count(Member.household_id.distinct()).label("n"))
            .where(Member.commune_id == commune_id, Member.deleted_at.is_(None))
            .group_by(Member.name_folded).having(func.count(Member.household_id.distinct()) >= 2)
            .order_by(text("n"), Member.name_folded).limit(200)).all()
        narrow = None
        for name, _n in candidates:
            if 2 <= matches(name) <= 5:
                narrow = name
                break
        narrow = narrow or candidates[0][0]
        household_id = db.session.scalar(
            select(Household.id).where(Household.commune_id == commune_id,
                                       Household.deleted_at.is_(None))
            .order_by(Household.head_name_folded, Household.id).limit(1))
        return {"list": list_args, "narrow": narrow, "broad": "nguyen", "prefix": PREFIX,
                "household_id": household_id, "counts": {
                    "list": db.session.scalar(
                        household_query(ListParams.from_args(_MultiDict(list_args), user), user)
                        .with_only_columns(func.count()).order_by(None)),
                    "narrow": matches(narrow), "broad": matches("nguyen"),
                    "prefix": matches(PREFIX)}}


class _MultiDict(dict):
    def getlist(self, key):
        value = self.get(key)
        return [] if value is None else [value]


# Flask timing -----------------------------------------------------------------------------

def login(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": token.group(1)})
    if response.status_code != 303:
        sys.exit(f"Login as {username} failed: HTTP {response.status_code}")
    return client


def requests_for(params: dict) -> dict:
    from urllib.parse import urlencode
    return {
        "list": ("/households/?" + urlencode(params["list"]), {}),
        "narrow": ("/households/?" + urlencode({"q": params["narrow"]}), HTMX_RESULTS),
        "broad": ("/households/?" + urlencode({"q": params["broad"]}), HTMX_RESULTS),
        "prefix": ("/households/?" + urlencode({"q": params["prefix"]}), HTMX_RESULTS),
        "case": (f"/households/{params['household_id']}", {}),
    }


def time_flask(client, url: str, headers: dict, repeat: int) -> list[float]:
    for _ in range(3):  # warm-up: caches, compiled statements, templates
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            sys.exit(f"GET {url} → HTTP {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
    return times


# Raw SQL timing ---------------------------------------------------------------------------

def capture_sql(app, username: str, params: dict) -> dict:
    """The statements each page runs for its data, as the app emits them."""
    from app.core.scoping import get_scoped_or_404
    from app.households.models import Household
    from app.households.queries import ListParams, list_page
    from app.households.services import active_members
    captured = {}
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        page_size = app.config["PAGE_SIZE"]
        statements = []

        def listener(_conn, _cursor, statement, parameters, _context, _many):
            statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            for name, args in (("list", _MultiDict(params["list"])),
                               ("narrow", _MultiDict(q=params["narrow"])),
                               ("broad", _MultiDict(q=params["broad"])),
                               ("prefix", _MultiDict(q=params["prefix"]))):
                statements.clear()
                list_page(ListParams.from_args(args, user), page_size, user)
                captured[name] = list(statements)
            statements.clear()
            household = get_scoped_or_404(Household, params["household_id"], user)
            active_members(household.id)
            captured["case"] = list(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
            db.session.remove()
    return captured


def time_sql(engine, statements, repeat: int) -> list[float]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()

        def run():
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()

        for _ in range(3):
            run()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return times


# Report -----------------------------------------------------------------------------------

def median_p90(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p90 * 1000


def main(argv=None):
    parser = scratch_arguments(__doc__, repeat=50)
    parser.add_argument("--save", help="write the figures to this JSON file")
    parser.add_argument("--compare", help="print ratios to the figures of this JSON file")
    args = parser.parse_args(argv)
    with scratch_app(args) as (app, url):
        dialect = url.split(":", 1)[0]
        with app.app_context():
            engine = db.engine
            n_households = db.session.scalar(text("SELECT count(*) FROM household"))
            db.session.remove()
        if dialect.startswith("postgresql"):
            with app.app_context():
                settings = {name: db.session.execute(text(f"SHOW {name}")).scalar()
                            for name in PG_SETTINGS}
                db.session.remove()
            log("PostgreSQL settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
        params = choose_params(app)
        requests = requests_for(params)
        labels = {
            "list": f"list  ?{'&'.join(f'{k}={v}' for k, v in params['list'].items())}"
                    f" ({params['counts']['list']} for xa1)",
            "narrow": f"narrow search q='{params['narrow']}' ({params['counts']['narrow']} for xa1)",
            "broad": f"broad search q='{params['broad']}' ({params['counts']['broad']} for xa1)",
            "prefix": f"prefix search q='{params['prefix']}' ({params['counts']['prefix']} for xa1)",
            "case": f"case page /households/{params['household_id']}",
        }
        log(f"Repetitions: {args.repeat} per figure (after 3 warm-up runs); times in ms")
        for name in SCENARIOS:
            log(f"  {name:<7} {labels[name]}")

        results = []
        for username in USERS:
            # No app context is pushed here: each request gets its own, as in production.
            client = login(app, username)
            statements = capture_sql(app, username, params)
            for name in SCENARIOS:
                url_, headers = requests[name]
                flask_times = time_flask(client, url_, headers, args.repeat)
                sql_times = time_sql(engine, statements[name], args.repeat)
                results.append((username, name, median_p90(flask_times), median_p90(sql_times),
                                len(statements[name])))

        earlier = None
        if args.compare:
            with open(args.compare, encoding="utf-8") as f:
                earlier = json.load(f)
        log("")
        log(f"Household pages, {dialect}, {n_households:,} households (goals at 300k)"
            + (f"; ×: ratio to {earlier['households']:,} households ({earlier['dialect']})"
               if earlier else ""))
        header = (f"{'user':<7} {'page':<7} {'Flask med':>9} {'p90':>7} {'SQL med':>8} "
                  f"{'p90':>7} {'stmts':>5} {'Flask/SQL':>9}  {'goal':>7}  result"
                  + ("   Flask ×   SQL ×" if earlier else ""))
        log(header)
        log("-" * len(header))
        figures = {}
        for username, name, (f_med, f_p90), (s_med, s_p90), n_stmts in results:
            goal, only = GOALS_MS.get((username, name), (None, None))
            if only and not dialect.startswith(only):
                goal = None
            verdict = ("PASS" if f_med <= goal else "MISS") if goal else ""
            goal_text = f"≤{goal} ms" if goal else ""
            ratio = f_med / s_med if s_med else float("inf")
            line = (f"{username:<7} {name:<7} {f_med:>9.2f} {f_p90:>7.2f} {s_med:>8.2f} "
                    f"{s_p90:>7.2f} {n_stmts:>5} {ratio:>8.1f}x  {goal_text:>7}  {verdict:<6}")
            before = earlier and earlier["figures"].get(f"{username} {name}")
            if before:
                line += (f" {f_med / before['flask_median']:>7.2f}x "
                         f"{s_med / before['sql_median']:>6.2f}x")
            log(line.rstrip())
            figures[f"{username} {name}"] = {"flask_median": f_med, "flask_p90": f_p90,
                                             "sql_median": s_med, "sql_p90": s_p90}
        if args.save:
            with open(args.save, "w", encoding="utf-8") as f:
                json.dump({"dialect": dialect, "households": n_households,
                           "figures": figures}, f, indent=1)
            log(f"Figures written to {args.save}")
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
