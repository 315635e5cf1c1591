"""Home page and language switch."""
from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_login import current_user, login_required

from app.core.urls import safe_next
from app.core.users import Role

bp = Blueprint("main", __name__)

HOME_BY_ROLE = {Role.ADMIN: "admin.users", Role.COMMUNE: "households.index",
                Role.DISTRICT: "households.index", Role.MASS_ORG: "funds.index",
                Role.SPONSOR: "portal.home"}


@bp.get("/")
@login_required
def home():
    endpoint = HOME_BY_ROLE.get(current_user.role)
    if endpoint is None:
        abort(403)
    return redirect(url_for(endpoint))


@bp.post("/language")
def set_language():
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")), code=303)
