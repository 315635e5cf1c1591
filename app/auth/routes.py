"""Login, logout and password change."""
from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import login as login_service
from app.auth.forms import LoginForm, PasswordChangeForm
from app.core import audit
from app.core.htmx import is_swap
from app.core.urls import safe_next
from app.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


# Per client address (behind TRUSTED_PROXIES), failed attempts only: an office sharing one
# address is not slowed by its own successful logins. The per-account count is in login.py.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"],
               deduct_when=lambda response: response.status_code != 303,
               error_message="Quá nhiều lần đăng nhập. Vui lòng thử lại sau ít phút.")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = login_service.attempt(form.username.data, form.password.data)
        db.session.commit()   # failures are counted and logged whatever the outcome
        if result.user:
            session.pop("csrf_token", None)   # a form token seen before login dies with it
            login_user(result.user)
            return redirect(safe_next(request.args.get("next")), code=303)
        form.password.errors.append(_refusal(result))
        return render_template("auth/login.html", form=form), (429 if result.retry_at else 422)
    return render_template("auth/login.html", form=form), (422 if form.errors else 200)


def _refusal(result: login_service.Attempt) -> str:
    if result.locked:
        return _("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Hãy thử lại sau %(time)s "
                 "hoặc nhờ quản trị viên mở khóa.", time=format_time(result.retry_at, "HH:mm:ss"))
    if result.retry_at:
        return _("Tên đăng nhập hoặc mật khẩu không đúng. Đã sai nhiều lần: hãy thử lại sau "
                 "%(time)s.", time=format_time(result.retry_at, "HH:mm:ss"))
    return _("Tên đăng nhập hoặc mật khẩu không đúng.")


# While an admin requires a new password, these are the only pages the user may reach.
FORCED_CHANGE_ALLOWS = {"auth.change_password", "auth.logout", "static", "main.set_language"}


@bp.before_app_request
def _forced_password_change():
    if request.endpoint in FORCED_CHANGE_ALLOWS or not current_user.is_authenticated:
        return None
    if not current_user.must_change_password:
        return None
    target = url_for("auth.change_password")
    if is_swap():   # htmx acts on HX-Redirect only in a 2xx answer
        return "", 200, {"HX-Redirect": target, "Vary": "HX-Request"}
    return redirect(target)


@bp.post("/logout")
@login_required
def logout():
    # Rotating the token ends this session everywhere: a copied cookie no longer loads a user.
    current_user.end_sessions()
    audit.record("logout", "user", current_user.id)
    db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm(current_user)
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.new.data)
            user.must_change_password = False
            user.end_sessions()  # other devices are signed out; this one logs in again below
            audit.record("password_change", "user", user.id)
            db.session.commit()
            login_user(user)
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("main.home"), code=303)
    return render_template("auth/password.html", form=form), (422 if form.errors else 200)
