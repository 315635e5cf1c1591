"""Load test: gunicorn on a scratch database, simulated officers, figures printed (a command,
not a pytest test).

    make load                                   # LOAD_SECONDS=60 LOAD_USERS=50 LOAD_HOUSEHOLDS=30000
    python -m tests.load.run [--seconds S] [--users N] [--households N] [--workers W]
                             [--think SECONDS] [--database-url URL] [--keep]

1. Builds a scratch database with the benchmark's builder (tests/benchmarks/bench_households:
   real migrations + the deterministic demo province) and adds the simulated officers: 80 %
   commune officers (spread over the communes), the rest district and province officers.
2. Starts gunicorn with the production settings (gunicorn.conf.py: sync workers, two per core
   plus one) on 127.0.0.1 only, a free port, pointed at the scratch database by a settings file
   (THOATNGHEO_SETTINGS, app/config.py). That file also lifts the per-address login limit: all
   the officers log in from 127.0.0.1 at once. The production defaults are not touched.
3. Every officer logs in through the real login form, then loops for the given time: the
   household list (filters, pages, sorts), an active search typed letter by letter (a request
   per pause, as htmx sends them), a case file (and any panel it loads on its own), a report,
   and 2 % writes: a commune officer adds a household member through the member form. Every
   written name carries a marker unique to the run and the write; a write is acknowledged when
   the answer is the refreshed members panel showing it.
4. Stops gunicorn, then checks that every acknowledged write is in the database (lost writes),
   and prints requests/s, p50/p90/p95/p99 per endpoint and overall, errors, and the server's own
   median time per endpoint (from its JSON request log).

Exit status 1 when a request failed or a write was lost; the speed goals are printed only.
"""
import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from urllib.parse import urlencode

from sqlalchemy import select, text

from tests.benchmarks.bench_households import (DEMO_PASSWORD, build, drop, existing_demo,
                                               make_config, normalise_url)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOALS = {"rps": 200, "p95_ms": 250}
HOST = "127.0.0.1"   # never anything else
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "hh-results"}
# Actions an officer picks, by weight (a search is several requests: one per typing pause).
ACTIONS = {"list": 25, "search": 22, "case": 30, "report": 8}
WRITE_SHARE = 0.02   # of all requests, posted by commune officers
REPORTS = ("deprivation", "transitions", "targets", "supports")


def log(message=""):
    print(message, flush=True)


# Scratch data -----------------------------------------------------------------------------

def officers_plan(users: int) -> list[tuple[str, str]]:
    """(level, username) for each simulated officer: 80 % commune, 14 % district, 6 % province."""
    n_province = max(1, round(users * 0.06)) if users >= 3 else 0
    n_district = max(1, round(users * 0.14)) if users >= 2 else 0
    n_commune = users - n_province - n_district
    return ([("commune", f"load_xa{i + 1}") for i in range(n_commune)]
            + [("district", f"load_huyen{i + 1}") for i in range(n_district)]
            + [("province", f"load_tinh{i + 1}") for i in range(n_province)])


def prepare(app, users: int, seed: int) -> list[dict]:
    """Create the officers (idempotent) and, per officer, what they will look at: names to
    type, households to open, hamlets to filter by — all inside their area."""
    from app.core.units import AdminUnit
    from app.core.users import Role, User
    from app.extensions import db
    from app.households.models import Household, Member
    rng = random.Random(seed)
    with app.app_context():
        units = {level: db.session.scalars(select(AdminUnit).where(AdminUnit.level == level)
                                           .order_by(AdminUnit.id)).all()
                 for level in ("province", "district", "commune")}
        password_hash = db.session.scalar(select(User.password_hash)
                                          .where(User.username == "xa1"))
        existing = set(db.session.scalars(select(User.username)
                                          .where(User.username.like("load\\_%", escape="\\"))))
        plan, counters = [], defaultdict(int)
        levels = officers_plan(users)
        n_commune = sum(1 for level, _ in levels if level == "commune")
        for level, username in levels:
            choices = units[level]
            unit = choices[counters[level] % len(choices)]
            counters[level] += 1
            if username not in existing:
                db.session.add(User(username=username, full_name=f"Cán bộ thử tải {username}",
                                    role=Role.COMMUNE if level == "commune" else Role.DISTRICT,
                                    unit_id=unit.id, password_hash=password_hash))
            plan.append({"username": username, "level": level, "unit_id": unit.id,
                         "write_share": WRITE_SHARE * len(levels) / n_commune
                         if level == "commune" else 0})
        db.session.commit()

        cache = {}
        for officer in plan:
            key = (officer["level"], officer["unit_id"])
            if key not in cache:
                column = {"commune": Household.commune_id, "district": Household.district_id,
                          "province": Household.province_id}[officer["level"]]
                m_column = getattr(Member, column.key)
                ids = db.session.scalars(select(Household.id).where(
                    column == officer["unit_id"], Household.deleted_at.is_(None))
                    .order_by(Household.id)).all()
                names = db.session.execute(select(Member.full_name, Member.name_folded).where(
                    m_column == officer["unit_id"], Member.deleted_at.is_(None))
                    .order_by(Member.id).limit(5000)).all()
                hamlets = db.session.scalars(select(Household.hamlet_id.distinct()).where(
                    column == officer["unit_id"])).all()
                cache[key] = {"households": rng.sample(ids, min(len(ids), 2000)),
                              "names": [tuple(n) for n in rng.sample(names, min(len(names), 500))],
                              "hamlets": sorted(hamlets)}
            officer.update(cache[key])
        db.session.remove()
    return plan


def settings_file(tmp: str, url: str) -> str:
    path = os.path.join(tmp, "load_settings.py")
    with open(path, "w") as f:
        f.write(f"""# Scratch server of the load test (tests/load/run.py); never a production file.
SQLALCHEMY_DATABASE_URI = {url!r}
SECRET_KEY = {secrets.token_hex(32)!r}
UPLOAD_DIR = {os.path.join(tmp, "uploads")!r}
JOBS_URL = {"sqlite:///" + os.path.join(tmp, "jobs.db")!r}
# Every simulated officer logs in from 127.0.0.1 within a second or two.
LOGIN_RATE_LIMIT = "100000 per minute"
RATELIMIT_STORAGE_URI = "memory://"
LOG_FORMAT = "json"   # the server's own duration per request, read back for the report
LOG_LEVEL = "INFO"
""")
    return path


# The server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(tmp: str, settings: str, port: int, workers: int | None):
    env = dict(os.environ, THOATNGHEO_SETTINGS=settings, BIND=f"{HOST}:{port}",
               LOG_LEVEL="info")
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    out = open(os.path.join(tmp, "gunicorn.log"), "w")
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    process = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                               env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode}); see {out.name}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return process, out
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {out.name}")


def server_cpu(master: int) -> float:
    """CPU seconds of gunicorn so far: the master with the workers it has reaped, plus the
    live workers. The difference of two readings is the server's CPU in between (a worker
    recycled meanwhile moves its whole time into the master's reaped-children total)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def fields(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None

    master_fields = fields(master)
    if master_fields is None:
        return float("nan")
    total = sum(int(v) for v in master_fields[11:15])   # utime stime cutime cstime
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = fields(entry)
            if f is not None and int(f[1]) == master:
                total += int(f[11]) + int(f[12])
    return total / ticks


def stop_gunicorn(process, out):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    out.close()


# One simulated officer ---------------------------------------------------------------------

class Failure(Exception):
    pass


class Officer:
    def __init__(self, plan: dict, port: int, run_id: str, think: float, seed: int,
                 stats, writes):
        self.plan, self.port, self.run_id, self.think = plan, port, run_id, think
        self.rng = random.Random(seed)
        self.cookie = ""
        self.csrf = ""
        self.stats, self.writes = stats, writes
        self.write_seq = 0
        self.sent = self.posts = 0

    # HTTP: one connection per request (gunicorn's sync workers close it after each answer).
    def request(self, name, method, path, body=None, headers=None, expect=(200,), record=True):
        all_headers = {"Cookie": self.cookie} if self.cookie else {}
        all_headers.update(headers or {})
        if body is not None:
            body = urlencode(body, doseq=True).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if record:
            self.sent += 1
            self.posts += method == "POST"
        started = time.perf_counter()
        status, text_, response_headers = None, "", {}
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            status = response.status
            text_ = response.read().decode("utf-8", "replace")
            response_headers = response.headers
            conn.close()
        except OSError as exc:
            text_ = f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - started
        ok = status in expect
        if record:
            self.stats.add(name, elapsed, ok, status if status else text_[:80])
        if status is None or not ok:
            raise Failure(f"{method} {path.split('?')[0]} → {status or text_}")
        for cookie in response_headers.get_all("Set-Cookie") or []:
            if cookie.startswith("session="):
                self.cookie = cookie.split(";", 1)[0]
        return text_, response_headers

    def login(self):
        page, _ = self.request("login", "GET", "/login", record=False)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        self.request("login", "POST", "/login", body={
            "username": self.plan["username"], "password": DEMO_PASSWORD, "csrf_token": token},
            expect=(303,), record=False)
        page, _ = self.request("login", "GET", "/households/", record=False)
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)

    # The mix
    def pick(self):
        # Only commune officers write; each keeps its posts at its share of its own requests,
        # so the posts stay WRITE_SHARE of everybody's whatever the other actions cost.
        share = self.plan.get("write_share", 0)
        if share and self.posts < share * self.sent and self.rng.random() < 0.5:
            return "write"
        names, weights = zip(*ACTIONS.items())
        return self.rng.choices(names, weights)[0]

    def do_list(self):
        rng, args = self.rng, {}
        roll = rng.random()
        if roll < 0.35 and self.plan["hamlets"]:
            args["hamlet"] = rng.choice(self.plan["hamlets"])
        elif roll < 0.55:
            args["status"] = rng.choice(("poor", "near_poor", "unreviewed"))
        elif roll < 0.70:
            args["flag"] = rng.choice(("merit", "female", "nolabour"))
        if rng.random() < 0.3:
            args["page"] = rng.randint(2, 5)
        if rng.random() < 0.15:
            args["sort"] = rng.choice(("-name", "code", "updated"))
        htmx = HTMX_RESULTS if args and rng.random() < 0.7 else {}
        self.request("list", "GET", "/households/" + ("?" + urlencode(args) if args else ""),
                     headers=htmx)

    def do_search(self):
        """Typed into the search box: htmx asks after each pause of 300 ms."""
        full, folded = self.rng.choice(self.plan["names"])
        typed = full if self.rng.random() < 0.4 else folded
        words = typed.split()
        prefixes = [typed[:self.rng.randint(2, 3)]]
        if len(words) > 1:
            prefixes.append(words[0] + " " + words[1][:1])
        prefixes.append(typed)
        for i, q in enumerate(dict.fromkeys(prefixes)):
            if i:
                self.pause(0.3)
            self.request("search", "GET", "/households/?" + urlencode({"q": q}),
                         headers=HTMX_RESULTS)

    def do_case(self):
        household_id = self.rng.choice(self.plan["households"])
        page, _ = self.request("case", "GET", f"/households/{household_id}")
        # Panels the page loads by itself (hx-trigger="load"), as the browser would.
        for tag in re.findall(r"<[^>]*hx-trigger=\"[^\"]*\bload\b[^>]*>", page):
            url = re.search(r'hx-get="([^"]+)"', tag)
            if url:
                target = re.search(r'hx-target="#?([^"]+)"', tag) or re.search(r'id="([^"]+)"', tag)
                self.request("case panel", "GET", url.group(1).replace("&amp;", "&"), headers={
                    "HX-Request": "true", "HX-Target": target.group(1) if target else ""})

    def do_report(self):
        slug = self.rng.choice(REPORTS)
        self.request("report", "GET", f"/reports/{slug}")

    def do_write(self):
        household_id = self.rng.choice(self.plan["households"])
        form, _ = self.request("member form", "GET", f"/households/{household_id}/members/new",
                               headers={"HX-Request": "true", "HX-Target": "member-form"})
        token = re.search(r'name="form_token"[^>]*value="([^"]+)"', form)
        relationship = re.search(r'<select[^>]*name="relationship_code"[^>]*>.*?'
                                 r'<option[^>]*value="([^"]+)"', form, re.S)
        self.write_seq += 1
        marker = f"LT{self.run_id}-{self.plan['username']}-{self.write_seq}"
        body = {"csrf_token": self.csrf, "full_name": f"Thử Tải {marker}",
                "birth_year": self.rng.randint(1950, 2015), "sex": self.rng.choice("MF"),
                "relationship_code": relationship.group(1) if relationship else ""}
        if token:
            body["form_token"] = token.group(1)
        self.writes.attempted(marker)
        page, _ = self.request("member add", "POST", f"/households/{household_id}/members/new",
                               body=body, headers={"HX-Request": "true",
                                                   "HX-Target": "member-form"})
        if marker in page:   # the refreshed members panel shows the new member
            self.writes.acknowledged(marker)
        else:
            self.stats.add("member add (not shown)", 0, False, "answer without the member")

    def pause(self, mean: float):
        if mean > 0:
            time.sleep(self.rng.uniform(0, 2 * mean))

    def run(self, deadline: float):
        while time.monotonic() < deadline:
            try:
                getattr(self, "do_" + self.pick().replace(" ", "_"))()
            except Failure:
                pass   # counted in the stats; the officer carries on
            self.pause(self.think)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(lambda: defaultdict(int))
        self.since = float("inf")   # requests finished before (the warm-up) are not counted

    def add(self, name, elapsed, ok, status):
        if time.monotonic() < self.since:
            return
        with self.lock:
            if ok:
                self.times[name].append(elapsed)
            else:
                self.errors[name][status] += 1


class Writes:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent, self.acked = set(), set()

    def attempted(self, marker):
        with self.lock:
            self.sent.add(marker)

    def acknowledged(self, marker):
        with self.lock:
            self.acked.add(marker)


def missing_writes(app, run_id: str, writes: Writes) -> tuple[set, set]:
    """(acknowledged but absent, present though not acknowledged)."""
    from app.extensions import db
    from app.households.models import Member
    with app.app_context():
        names = db.session.scalars(select(Member.full_name).where(
            Member.full_name.like(f"%LT{run_id}-%"), Member.deleted_at.is_(None))).all()
        db.session.remove()
    found = {re.search(r"(LT\S+)", n).group(1) for n in names}
    return writes.acked - found, found - writes.acked


# Report -----------------------------------------------------------------------------------

def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def server_times(log_path: str) -> dict:
    """Server durations per method and path (ids as <id>), from the app's JSON request lines
    (the whole run, warm-up included)."""
    groups = defaultdict(list)
    with open(log_path, errors="replace") as f:
        for line in f:
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("duration_ms") is None or entry.get("logger") != "thoatngheo.request":
                continue
            groups[_path_group(entry.get("method", ""), entry.get("path", ""))].append(
                entry["duration_ms"])
    return groups


def _path_group(method, path):
    path = re.sub(r"/\d+", "/<id>", path)
    return f"{method} {path}"


def report(stats: Stats, elapsed: float, writes: Writes, lost: set, extra: set,
           server: dict, cpu: float, server_seconds: float, args, workers: int):
    all_times = sorted(t for times in stats.times.values() for t in times)
    n_errors = sum(sum(e.values()) for e in stats.errors.values())
    total = len(all_times) + n_errors
    rps = total / elapsed
    log()
    log(f"Load: {args.users} officers, {elapsed:.0f} s, gunicorn {workers} sync workers, "
        f"{args.households:,} households, think time {args.think:.2f} s (mean), "
        f"client CPU {cpu / elapsed * 100:.0f} % of one core")
    header = (f"{'endpoint':<14} {'requests':>8} {'req/s':>7} {'p50':>7} {'p90':>7} {'p95':>7} "
              f"{'p99':>7} {'max':>7} {'errors':>6}")
    log(header + "   (ms)")
    log("-" * len(header))
    names = sorted(set(stats.times) | set(stats.errors), key=lambda n: -len(stats.times[n]))
    for name in names + ["all"]:
        times = sorted(stats.times[name]) if name != "all" else all_times
        errors = sum(stats.errors[name].values()) if name != "all" else n_errors
        count = len(times) + errors
        ms = [percentile(times, p) * 1000 for p in (50, 90, 95, 99)]
        top = (times[-1] * 1000) if times else float("nan")
        if name == "all":
            log("-" * len(header))
        log(f"{name:<14} {count:>8} {count / elapsed:>7.1f} "
            + " ".join(f"{v:>7.1f}" for v in ms) + f" {top:>7.1f} {errors:>6}")
    for name, kinds in stats.errors.items():
        for status, n in kinds.items():
            log(f"  error: {name}: {status} × {n}")
    log()
    log("Server time per request (the app's own log, whole run), median / p95 ms:")
    for group, values in sorted(server.items(), key=lambda kv: -len(kv[1]))[:12]:
        values.sort()
        log(f"  {group:<45} {len(values):>7}  {statistics.median(values):>6.1f} "
            f"{percentile(values, 95):>7.1f}")
    cores = os.cpu_count() or 1
    per_request = server_seconds / total * 1000 if total else float("nan")
    log()
    log(f"Server CPU: {per_request:.2f} ms per request ({server_seconds:.1f} s over {total} "
        f"requests, {server_seconds / elapsed * 100:.0f} % of one core); all {cores} cores "
        f"would serve about {cores * 1000 / per_request:.0f} req/s of this mix. Load average "
        f"at the end: {os.getloadavg()[0]:.1f} (other programs slow the run down).")
    log()
    log(f"Writes: {len(writes.sent)} posted, {len(writes.acked)} acknowledged, "
        f"{len(lost)} acknowledged but missing (lost), {len(extra)} present without "
        f"acknowledgement")
    p95 = percentile(all_times, 95) * 1000
    log()
    log(f"Goals: ≥ {GOALS['rps']} req/s: {rps:.0f} {'PASS' if rps >= GOALS['rps'] else 'MISS'}; "
        f"p95 ≤ {GOALS['p95_ms']} ms: {p95:.0f} {'PASS' if p95 <= GOALS['p95_ms'] else 'MISS'}; "
        f"errors 0: {n_errors} {'PASS' if not n_errors else 'FAIL'}; lost writes 0: {len(lost)} "
        f"{'PASS' if not lost else 'FAIL'}")
    return n_errors == 0 and not lost


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    env = os.environ.get
    parser.add_argument("--seconds", type=float, default=float(env("LOAD_SECONDS", 60)))
    parser.add_argument("--users", type=int, default=int(env("LOAD_USERS", 50)))
    parser.add_argument("--households", type=int, default=int(env("LOAD_HOUSEHOLDS", 30000)))
    parser.add_argument("--workers", type=int, default=int(env("LOAD_WORKERS", 0)) or None,
                        help="gunicorn workers (default: gunicorn.conf.py's, 2 × cores + 1)")
    parser.add_argument("--think", type=float, default=float(env("LOAD_THINK", 0.1)),
                        help="mean pause between an officer's actions, seconds (uniform 0–2×)")
    parser.add_argument("--warmup", type=float, default=float(env("LOAD_WARMUP", 5)),
                        help="seconds of the same mix before the measured time (workers "
                             "compile templates, fill caches); its writes are checked too")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=env("LOAD_DATABASE_URL"),
                        help="an empty database, or one a --keep run left (default: SQLite "
                             "in a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)

    from app import create_app
    tmp = tempfile.mkdtemp(prefix="load-")
    url = normalise_url(args.database_url or "sqlite:///" + os.path.join(tmp, "load.db"))
    app = create_app(make_config(url))
    log(f"Database: {re.sub(r'//[^@/]*@', '//', url)}")
    reuse = existing_demo(app)
    ok = False
    try:
        build(app, args.households, args.seed, reuse)
        with app.app_context():
            from app.extensions import db
            args.households = db.session.scalar(text("SELECT count(*) FROM household"))
            db.session.remove()
        plan = prepare(app, args.users, args.seed)
        port = free_port()
        server, out = start_gunicorn(tmp, settings_file(tmp, url), port, args.workers)
        workers = args.workers or (os.cpu_count() or 1) * 2 + 1
        log(f"gunicorn on {HOST}:{port} (log: {out.name})")
        run_id = secrets.token_hex(3)
        stats, writes = Stats(), Writes()
        officers = [Officer(p, port, run_id, args.think, args.seed + i, stats, writes)
                    for i, p in enumerate(plan)]
        try:
            started = time.perf_counter()
            for officer in officers:
                officer.login()
            log(f"{len(officers)} officers logged in ({time.perf_counter() - started:.1f} s); "
                f"running for {args.warmup:.0f} s (warm-up) + {args.seconds:.0f} s")
            deadline = time.monotonic() + args.warmup + args.seconds
            threads = [threading.Thread(target=o.run, args=(deadline,), daemon=True)
                       for o in officers]
            for thread in threads:
                thread.start()
            time.sleep(args.warmup)
            stats.since = time.monotonic()
            cpu0, server0 = time.process_time(), server_cpu(server.pid)
            started = time.perf_counter()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            cpu, server_seconds = time.process_time() - cpu0, server_cpu(server.pid) - server0
        finally:
            stop_gunicorn(server, out)
        lost, extra = missing_writes(app, run_id, writes)
        ok = report(stats, elapsed, writes, lost, extra, server_times(out.name), cpu,
                    server_seconds, args, workers)
        for marker in sorted(lost)[:20]:
            log(f"  lost: {marker}")
    finally:
        if args.keep:
            log(f"Kept the database: {re.sub(r'//[^@/]*@', '//', url)}")
        elif args.database_url and not reuse:
            drop(app)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
