"""Configuration. Order of precedence: defaults here < instance/config.py < environment."""
import os
import secrets
import tempfile
from datetime import timedelta


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "app.db")
    # Heroku-style URLs name the driver "postgres"; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = None   # environment, else instance/config.py, else instance/secret_key
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # No pool_pre_ping (a round trip before every request): a PostgreSQL connection is checked
    # only when it comes out of the pool after this many seconds unused (app/extensions.py
    # ping_when_idle); SQLite is a file, there is nothing to lose the connection to.
    DATABASE_PING_IDLE_SECONDS = 5
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # A logged-in session ends after 8 hours without a request and, however busy, 12 hours
    # after its login: one working day with overtime, so a shared commune computer asks for
    # the password again every morning (app/auth/sessions.py). Login sets no remember-me
    # cookie; were one ever set, it would not outlive the session either.
    SESSION_IDLE_TIMEOUT = timedelta(hours=8)
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = SESSION_ABSOLUTE_LIFETIME
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # one working day
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    # Per-address limit of failed logins; with several workers a shared store (redis://…) so
    # they count together. If that store is down, each worker counts in memory meanwhile.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    # Per account (app/auth/login.py): locked for LOGIN_LOCK_MINUTES after this many failures.
    LOGIN_LOCK_AFTER = 10
    LOGIN_LOCK_MINUTES = 30
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (0: none,
    # the app faces clients directly). The client address feeds the rate limit and the audit log.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The job queue (app/ops/jobs.py): empty = a SQLite file in instance/; redis://… in
    # production. Jobs run in `flask worker`.
    JOBS_URL = os.environ.get("JOBS_URL", "")
    # Logs on stderr (app/ops/logs.py): level and "text" or "json" (one object per line).
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    PAGE_SIZE = 25
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # Evidence files of supports: one file at most this size; stored under UPLOAD_DIR
    # (default instance/uploads, set in load_config) with random names.
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    # Excel import (app/imports/reader.py Limits): a file past one of these is refused while it
    # is read. A cell's text or a shared string: Excel's own limit. One part of the .xlsx zip
    # uncompressed (100,000 rows × 14 columns of inline text are about 86 MB). A part openpyxl
    # parses whole into objects (workbook, styles, relationships: kilobytes in real files).
    IMPORT_MAX_CELL_CHARS = 32_767
    IMPORT_MAX_PART_BYTES = 128 * 1024 * 1024
    IMPORT_MAX_METADATA_BYTES = 10 * 1024 * 1024
    # A file this small (declared rows, else bytes) is checked and committed in the request;
    # a larger one is queued for `flask worker`.
    IMPORT_INLINE_ROWS = 3000
    IMPORT_INLINE_BYTES = 256 * 1024


class TestConfig(Config):
    TESTING = True
    JOBS_IMMEDIATE = True   # a queued job runs in place
    SECRET_KEY = "test-secret"
    # The limiter stays on (it can only be switched on at start-up); tests log in often, so
    # the limit is high except in the rate-limit test, which lowers it for itself.
    LOGIN_RATE_LIMIT = "10000 per minute"


def load_config(app, config=None):
    app.config.from_object(config or Config)
    if not app.config.get("TESTING"):
        app.config.from_pyfile("config.py", silent=True)
        # A settings file named by the environment, after instance/config.py: a scratch server
        # (the load test, tests/load/) gets its own database and limits without touching the
        # instance folder or the defaults above.
        if os.environ.get("THOATNGHEO_SETTINGS"):
            app.config.from_pyfile(os.environ["THOATNGHEO_SETTINGS"])   # missing: an error
    if "SQLALCHEMY_DATABASE_URI" not in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app.instance_path)
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = (os.environ.get("UPLOAD_DIR")
                                    or os.path.join(app.instance_path, "uploads"))
    for key in ("SECRET_KEY",):
        if os.environ.get(key) and not app.config.get("TESTING"):
            app.config[key] = os.environ[key]
    if not app.config.get("SECRET_KEY") and not app.config.get("TESTING"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    # Served over HTTPS (PREFERRED_URL_SCHEME = "https", or SESSION_COOKIE_SECURE = True as
    # the README used to say): cookies travel over HTTPS only, and HSTS is sent.
    if app.config["PREFERRED_URL_SCHEME"] == "https" or app.config["SESSION_COOKIE_SECURE"]:
        app.config.update(PREFERRED_URL_SCHEME="https", SESSION_COOKIE_SECURE=True,
                          REMEMBER_COOKIE_SECURE=True)


SECRET_KEY_FILE = "secret_key"


def instance_secret_key(instance_path: str) -> str:
    """The key in instance/secret_key, made (random, mode 0600) on the first start, so a fresh
    machine runs without SECRET_KEY and sessions survive restarts. Several workers starting
    at once all end up with the first one's key: each writes a whole candidate file, and
    os.link publishes it only where no key exists yet (exclusive, like O_EXCL)."""
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        fd, candidate = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")  # 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
            os.link(candidate, path)
        except FileExistsError:
            pass   # another worker was first: use its key
        finally:
            os.unlink(candidate)
    with open(path) as f:
        key = f.read().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it, or set SECRET_KEY")
    return key
