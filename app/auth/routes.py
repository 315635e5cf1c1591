"""Login, logout and password change."""
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.auth.forms import LoginForm, PasswordChangeForm
from app.core import audit
from app.core.users import User
from app.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes home."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"],
               error_message="Quá nhiều lần đăng nhập. Vui lòng thử lại sau ít phút.")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip().lower()))
        if user and user.active and user.check_password(form.password.data):
            user.last_login_at = datetime.utcnow()
            login_user(user)
            audit.record("login", "user", user.id, user=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), code=303)
        form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng."))
        return render_template("auth/login.html", form=form), 422
    return render_template("auth/login.html", form=form), (422 if form.errors else 200)


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
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.new.data)
            user.end_sessions()  # other devices are signed out; this one logs in again below
            audit.record("password_change", "user", user.id)
            db.session.commit()
            login_user(user)
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("main.home"), code=303)
    return render_template("auth/password.html", form=form), (422 if form.errors else 200)
