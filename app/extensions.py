"""Flask extensions, created unbound and initialised in create_app."""
import time

import flask_babel
from flask.globals import _cv_app
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.exc import DisconnectionError
from werkzeug.middleware.proxy_fix import ProxyFix

# Deterministic constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
naming = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def request_translations():
    """The catalogue of the current request's locale, found once per request.

    Flask-Babel's own template `_()` looks up the domain, the locale and the catalogue through
    a dozen context-local lookups on every call, and a list page calls it a few hundred times.
    The catalogue found first is kept on `g` beside the locale and domain it was found for, so
    a locale changed within the request (flask_babel.force_locale, refresh) is still obeyed."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return flask_babel.get_translations()
    store = ctx.g.__dict__
    found = store.get("_request_translations")
    if found is not None:
        state = store.get("_flask_babel")
        if (getattr(state, "babel_locale", None) is found[0]
                and getattr(state, "babel_domain", None) is found[1]):
            return found[2]
    translations = flask_babel.get_translations()
    state = store.get("_flask_babel")
    store["_request_translations"] = (getattr(state, "babel_locale", None),
                                      getattr(state, "babel_domain", None), translations)
    return translations


class Babel(flask_babel.Babel):
    """Flask-Babel whose template gettext callables use request_translations()."""

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        if self._configure_jinja:
            app.jinja_env.install_gettext_callables(
                gettext=lambda s: request_translations().ugettext(s),
                ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
                newstyle=True,
                pgettext=lambda c, s: request_translations().upgettext(c, s),
                npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n))


class _SQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose server databases check a pooled connection before use only when
    it has sat idle (see ping_when_idle); SQLite is a file and is never checked."""

    def init_app(self, app):
        super().init_app(app)
        with app.app_context():
            for engine in self.engines.values():
                if engine.dialect.name != "sqlite":
                    ping_when_idle(engine, app.config.get("DATABASE_PING_IDLE_SECONDS", 5))


def ping_when_idle(engine, idle_seconds: float):
    """Check a pooled connection (the dialect's own ping, as pool_pre_ping does) when it comes
    out of the pool after more than `idle_seconds` unused; a dead one is replaced before the
    request sees it. A connection dies in the pool while nobody uses it (a database restart or
    failover, a firewall closing idle connections); a busy worker takes its connection again
    within milliseconds and skips the round trip pool_pre_ping made on every request. A
    connection that breaks mid-use is still caught by SQLAlchemy, which then discards every
    pooled connection opened before the break."""
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("pooled connection failed its ping") from error
        if not alive:
            raise DisconnectionError("pooled connection failed its ping")


db = _SQLAlchemy(metadata=MetaData(naming_convention=naming))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def trust_proxies(app):
    """Read the client address (and scheme) through TRUSTED_PROXIES reverse proxies, so the
    rate limit and the audit log see the officer's address, not the proxy's; a header sent by
    the client itself past those proxies is ignored."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
