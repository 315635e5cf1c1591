"""Home page (what needs the user today, app/main/today.py) and language switch."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user, login_required

from app.core import clock
from app.core.urls import safe_next
from app.core.users import Role
from app.main import today

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    if current_user.role not in Role.ALL:
        abort(403)
    return render_template("main/home.html", items=today.items_for(current_user),
                           today=clock.today())


@bp.post("/language")
def set_language():
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")), code=303)
