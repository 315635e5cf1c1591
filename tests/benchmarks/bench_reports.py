"""Benchmark of the province's reports and dashboards against the SQL they run (a command that
prints figures, not a timed test).

    python -m tests.benchmarks.bench_reports [--households N] [--year Y] [--repeat R]
                                             [--database-url URL] [--keep]

Builds (or reuses, like bench_households) a scratch database with the demo province, logs in as
the province officer `tinh1` and the district officer `huyen1`, and times each page through Flask
beside the raw SQL of the same page: every statement the page sent to the database, captured
while it ran and replayed on a DBAPI cursor. Goals (issue 15, 300k households): Biểu 01 and
the transitions report ≤ 3× their raw SQL; the province list page and dashboards ≤ 20 ms.
"""
import sys

from sqlalchemy import event, text

from app.extensions import db
from tests.benchmarks.bench_households import (log, login, median_p90, scratch_app,
                                               scratch_arguments, time_flask, time_sql)

USERS = ("tinh1", "huyen1")


def pages(year: int) -> dict:
    """name → (url, goal): goal is ("x", 3) for ≤ 3× the raw SQL, ("ms", 20) for a
    median in milliseconds."""
    return {
        "bieu01": (f"/reports/deprivation?year={year}", ("x", 3)),
        "transitions": (f"/reports/transitions?year={year}", ("x", 3)),
        "list": ("/households/", ("ms", 20)),
        "progress": ("/targets/progress", ("ms", 20)),
        "reports": ("/reports/", ("ms", 20)),
    }


def capture(app, client, url: str) -> list:
    """The statements one request sends to the database, in order."""
    statements = []

    def listener(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    if response.status_code != 200:
        sys.exit(f"GET {url} → HTTP {response.status_code}")
    # Writes (the audit row of a view, the session's last-seen time) are not the page's query.
    return [(s, p) for s, p in statements
            if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def main(argv=None):
    parser = scratch_arguments(__doc__, repeat=20)
    parser.add_argument("--year", type=int, default=2025, help="the review year of the reports")
    args = parser.parse_args(argv)
    with scratch_app(args) as (app, url):
        with app.app_context():
            engine = db.engine
            n_households = db.session.scalar(text("SELECT count(*) FROM household"))
            db.session.remove()
        results = []
        for username in USERS:
            client = login(app, username)
            for name, (page_url, goal) in pages(args.year).items():
                statements = capture(app, client, page_url)
                flask_times = time_flask(client, page_url, {}, args.repeat)
                sql_times = time_sql(engine, statements, args.repeat)
                results.append((username, name, goal, median_p90(flask_times),
                                median_p90(sql_times), len(statements)))
        log("")
        log(f"Reports and dashboards, {url.split(':', 1)[0]}, {n_households:,} households, "
            f"{args.repeat} runs each after 3 warm-ups; times in ms")
        header = (f"{'user':<7} {'page':<12} {'Flask med':>9} {'p90':>7} {'SQL med':>8} "
                  f"{'stmts':>5} {'Flask/SQL':>9}  {'goal':>8}  result")
        log(header)
        log("-" * len(header))
        for username, name, (kind, bound), (f_med, f_p90), (s_med, _s), n in results:
            ratio = f_med / s_med if s_med else float("inf")
            if kind == "x":
                goal_text, ok = f"≤{bound}× SQL", ratio <= bound
            else:
                goal_text, ok = f"≤{bound} ms", f_med <= bound
            log(f"{username:<7} {name:<12} {f_med:>9.2f} {f_p90:>7.2f} {s_med:>8.2f} {n:>5} "
                f"{ratio:>8.1f}x  {goal_text:>8}  {'PASS' if ok else 'MISS'}")
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
