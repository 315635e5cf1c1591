"""Configuration. Order of precedence: defaults here < instance/config.py < environment."""
import os


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
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # one working day
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    # Logs on stderr (app/ops/logs.py): level and "text" or "json" (one object per line).
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    PAGE_SIZE = 25
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # Evidence files of supports: one file at most this size; stored under UPLOAD_DIR
    # (default instance/uploads, set in load_config) with random names.
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    # The limiter stays on (it can only be switched on at start-up); tests log in often, so
    # the limit is high except in the rate-limit test, which lowers it for itself.
    LOGIN_RATE_LIMIT = "10000 per minute"


def load_config(app, config=None):
    app.config.from_object(config or Config)
    if not app.config.get("TESTING"):
        app.config.from_pyfile("config.py", silent=True)
    if "SQLALCHEMY_DATABASE_URI" not in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app.instance_path)
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = (os.environ.get("UPLOAD_DIR")
                                    or os.path.join(app.instance_path, "uploads"))
    for key in ("SECRET_KEY",):
        if os.environ.get(key) and not app.config.get("TESTING"):
            app.config[key] = os.environ[key]
