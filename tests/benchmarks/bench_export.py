"""Benchmark of the Excel export of the household list (a command that prints figures, not a
timed test).

    python -m tests.benchmarks.bench_export [--households N] [--seed S] [--user U] [--repeat R]
                                            [--database-url URL] [--keep]

Builds a scratch database with the real migrations and the deterministic demo province
(`app.demo.load`, 100,000 households by default), then, in a fresh process (so its peak
memory is the export's, not the build's), logs in through the real login form as the
province officer `tinh1` and downloads GET /reports/households.xlsx — routing, session, the
list's scoped query, openpyxl's write-only workbook, the streamed response — reading every
byte. It prints rows/s end to end (median of R runs), the raw SQL time of the same query, the
workbook's size and row count, and peak memory two ways: the process's peak RSS
(resource.getrusage, whole process) and tracemalloc's peak of Python allocations during one
export (a separate run: tracing slows Python down). Goals: ≥ 10,000 rows/s, peak ≤ 200 MB.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile

from sqlalchemy import func, select

from tests.benchmarks.bench_households import (log, login, make_config, scratch_app,
                                               scratch_arguments)

GOAL_ROWS_PER_S = 10_000
GOAL_PEAK_MB = 200
URL = "/reports/households.xlsx"


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _download(client, url: str, out_path: str) -> tuple[float, int, float]:
    """GET `url`, writing the streamed body to `out_path`: (seconds, bytes, CPU seconds)."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, buffered=False)
    if response.status_code != 200:
        sys.exit(f"GET {url} → HTTP {response.status_code}")
    size = 0
    with open(out_path, "wb") as f:
        for chunk in response.response:
            f.write(chunk)
            size += len(chunk)
    response.close()
    return time.perf_counter() - started, size, time.process_time() - cpu


def _sheet_rows(path: str) -> int:
    """<row> elements of the workbook's sheet (counted in the XML, without loading it)."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as z, z.open("xl/worksheets/sheet1.xml") as f:
        while chunk := f.read(1 << 20):
            data = tail + chunk
            count += data.count(b"<row ")
            tail = data[-4:]     # a "<row " cut by the chunk boundary is found next time
    return count


def measure(url: str, username: str, repeat: int) -> dict:
    """Runs in the child process: the figures of one user's full export."""
    from app import create_app
    from app.core.users import User
    from app.extensions import db
    from app.households.queries import ListParams, household_query
    from app.reports.household_export import export_query

    app = create_app(make_config(url))
    client = login(app, username)
    tmp = tempfile.mkdtemp(prefix="bench-export-")
    path = os.path.join(tmp, "export.xlsx")
    try:
        _download(client, URL + "?q=zzzzzz", path)            # warm-up: templates, statements
        baseline_rss = _peak_rss_mb()
        times, cpu_times, size = [], [], 0
        for _ in range(repeat):
            seconds, size, cpu = _download(client, URL, path)
            times.append(seconds)
            cpu_times.append(cpu)
        peak_rss = _peak_rss_mb()
        sheet_rows = _sheet_rows(path)
        with app.test_request_context():      # the same query, rows fetched and dropped
            user = db.session.scalar(select(User).where(User.username == username))
            rows = db.session.scalar(household_query(ListParams(), user)
                                     .with_only_columns(func.count()).order_by(None))
            started = time.perf_counter()
            for _ in db.session.execute(export_query(ListParams(), user, user.sees_sensitive)
                                        .execution_options(yield_per=2000)):
                pass
            sql_seconds = time.perf_counter() - started
            db.session.remove()
        tracemalloc.start()
        traced_seconds, _size, _cpu = _download(client, URL, path)
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"rows": rows, "times": times, "cpu_times": cpu_times, "sql_seconds": sql_seconds,
            "bytes": size, "sheet_rows": sheet_rows, "baseline_rss_mb": baseline_rss, "peak_rss_mb": peak_rss,
            "traced_peak_mb": traced_peak / 2**20, "traced_seconds": traced_seconds}


def main(argv=None):
    parser = scratch_arguments(__doc__, repeat=3)
    parser.set_defaults(households=100_000)
    parser.add_argument("--user", default="tinh1", help="whose list is exported (default: the "
                        "province officer: every household)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)     # child process: database URL
    args = parser.parse_args(argv)

    if args.measure:
        print(json.dumps(measure(args.measure, args.user, args.repeat)), flush=True)
        return 0

    with scratch_app(args) as (_app, url):
        child = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_export", "--measure", url,
             "--user", args.user, "--repeat", str(args.repeat)],
            capture_output=True, text=True, cwd=os.getcwd())
        if child.returncode != 0:
            sys.exit(f"measuring failed:\n{child.stderr[-4000:]}")
        figures = json.loads(child.stdout.strip().splitlines()[-1])

    rows = figures["rows"]
    median = statistics.median(figures["times"])
    rate = rows / median if median else float("inf")
    log("")
    log(f"Excel export of the household list: GET {URL} as {args.user}, "
        f"{url.split(':', 1)[0]}, {rows:,} rows (runs: {len(figures['times'])}, "
        f"then one under tracemalloc)")
    log(f"  end to end      median {median:.2f} s  (runs: "
        f"{', '.join(f'{t:.2f}' for t in figures['times'])} s)")
    cpu = statistics.median(figures["cpu_times"])
    log(f"  rows/s          {rate:,.0f}   goal ≥ {GOAL_ROWS_PER_S:,}   "
        f"{'PASS' if rate >= GOAL_ROWS_PER_S else 'MISS'}")
    log(f"  CPU time        median {cpu:.2f} s = {rows / cpu if cpu else 0:,.0f} rows per CPU second "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: wall time above it "
        f"is waiting for a CPU or the disk)")
    log(f"  SQL alone       {figures['sql_seconds']:.2f} s (the export's query, every row fetched and dropped, after the exports)")
    log(f"  workbook        {figures['bytes'] / 2**20:.1f} MB, {figures['sheet_rows']:,} sheet rows "
        f"({rows:,} households + heading, header, totals, notes)")
    log(f"  peak RSS        {figures['peak_rss_mb']:.0f} MB for the whole process "
        f"({figures['baseline_rss_mb']:.0f} MB before the first full export)   "
        f"goal ≤ {GOAL_PEAK_MB} MB   {'PASS' if figures['peak_rss_mb'] <= GOAL_PEAK_MB else 'MISS'}")
    log(f"  tracemalloc     peak {figures['traced_peak_mb']:.1f} MB of Python allocations during "
        f"one export ({figures['traced_seconds']:.1f} s traced)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
