"""Limits of a logged-in session, enforced server-side on every request.

The session cookie carries the login time and the time of the last request (it is signed, so
neither can be forged, and an old copy only carries older times). A session ends after
SESSION_IDLE_TIMEOUT without a request and, however busy, SESSION_ABSOLUTE_LIFETIME after the
login. A session without these times (a cookie from before this rule, a remember-me cookie —
login issues none) is expired too."""
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in, user_logged_out

from app.extensions import login_manager

LOGIN_AT, SEEN_AT = "login_at", "seen_at"
# Writing the last-seen time re-sends the cookie; once a minute is precise enough.
SEEN_RESOLUTION = 60


def now() -> float:
    """The time source (seconds); tests patch it."""
    return time.time()


def init_app(app):
    login_manager.unauthorized_handler(unauthorized)
    user_logged_in.connect(_started, app)
    user_logged_out.connect(_ended, app)
    app.before_request(enforce_limits)


def _started(_app, user):
    session[LOGIN_AT] = session[SEEN_AT] = int(now())


def _ended(_app, user):
    session.pop(LOGIN_AT, None)
    session.pop(SEEN_AT, None)


def _seconds(key: str) -> float:
    value = current_app.config[key]   # a timedelta, or seconds as in instance/config.py
    return value.total_seconds() if isinstance(value, timedelta) else value


def expired(login_at, seen_at, at: int) -> bool:
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    return (at - seen_at > _seconds("SESSION_IDLE_TIMEOUT")
            or at - login_at > _seconds("SESSION_ABSOLUTE_LIFETIME"))


def enforce_limits():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    at = int(now())
    if not expired(session.get(LOGIN_AT), session.get(SEEN_AT), at):
        if at - session[SEEN_AT] >= SEEN_RESOLUTION:
            session[SEEN_AT] = at
        return None
    logout_user()
    flash(_("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."), "info")
    return to_login()


def unauthorized():
    """Flask-Login's answer to a request without a (valid) login: no session, an expired one,
    a deactivated account."""
    flash(_("Vui lòng đăng nhập để tiếp tục."), "info")
    return to_login()


def to_login():
    """The login page, coming back afterwards to the page the user was on. For htmx, 401 with
    HX-Redirect: a redirect would be followed inside htmx's request and the login page swapped
    into the results table (htmx 2 acts on HX-Redirect whatever the status)."""
    if request.headers.get("HX-Request"):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path + (f"?{current.query}" if current.query else "")
        return "", 401, {"HX-Redirect": url_for("auth.login", next=back or None),
                         "Vary": "HX-Request"}
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=back))
