"""One-time form tokens: a create form posted twice (a double click, a retry on a slow
network, the back button) writes once.

Every form carries a random token (core.forms.AppForm.form_token). A create view decorated
with @once claims the token in the same transaction as its write — the claim is a row whose
key is the token — and keeps its answer; the same user posting the same token again gets
that answer again instead of writing again. Two posts at the same moment cannot both write:
the second's claim waits on the first's (unique key) and then fails, and it answers with the
first's result.

A post without a token works as before (scripts, old pages). An answer that wrote nothing (a
422 to correct, a refusal) leaves the token free, so the corrected form can be posted. A
token another user claimed replays nothing to this one: their post is as if it had none."""
import time
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import JSON, ForeignKey, String, Text, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.htmx import is_swap
from app.core.i18n import N_
from app.extensions import db

FIELD = "form_token"   # AppForm.form_token
KEEP = timedelta(days=2)
WAIT_STEPS, WAIT_SECONDS = 20, 0.1   # a second post waits up to 2 s for the first's answer
REPLAYED = {"location", "content-type", "vary", "cache-control"}   # and every HX-* header
BUSY = N_("Biểu mẫu này đang được xử lý. Vui lòng đợi giây lát rồi tải lại trang.")


class FormToken(db.Model):
    """A claimed token and the answer to give if it is posted again."""
    __tablename__ = "form_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    endpoint: Mapped[str] = mapped_column(String(100))
    status: Mapped[int | None]   # None: the first post has written but not yet answered
    headers: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow, index=True)


def once(view):
    """Make a create view answer a repeated post of its form with its first answer. Put it
    below the role guard, so a refused user never reaches the claim."""
    @wraps(view)
    def guarded(*args, **kwargs):
        token = request.form.get(FIELD, "") if request.method == "POST" else ""
        if not 0 < len(token) <= 64 or not current_user.is_authenticated:
            return view(*args, **kwargs)
        if _find(token) is None and _claim(token):
            return _write_once(token, view, args, kwargs)
        first = _settled(token)
        if first is None or first.user_id != current_user.id or first.endpoint != request.endpoint:
            return view(*args, **kwargs)   # not this user's (or this form's) token
        return _replay(first)
    guarded.writes_once = True   # what tests/core/test_once.py looks for on every create route
    return guarded


def _find(token) -> FormToken | None:
    # populate_existing: a row already in the session may have changed since it was read.
    return db.session.scalar(select(FormToken).where(FormToken.token == token)
                             .execution_options(populate_existing=True))


def _claim(token) -> bool:
    """Insert the claim into the view's transaction. A concurrent claim of the same token
    makes this wait until the other commits (then False) or rolls back (then True)."""
    db.session.add(FormToken(token=token, user_id=current_user.id, endpoint=request.endpoint))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _write_once(token, view, args, kwargs):
    response = make_response(view(*args, **kwargs))
    db.session.rollback()   # anything the view left uncommitted was not its write
    claim = _find(token)
    if claim is None:   # the view did not commit: nothing written, the token stays free
        return response
    if response.status_code >= 400:
        db.session.delete(claim)   # a refusal is not an answer to replay
    else:
        claim.status = response.status_code
        claim.headers = {k: v for k, v in response.headers.items()
                         if k.lower() in REPLAYED or k.lower().startswith("hx-")}
        claim.body = response.get_data(as_text=True)
        db.session.execute(delete(FormToken).where(
            FormToken.created_at < clock.utcnow() - KEEP))
    db.session.commit()
    return response


def _settled(token) -> FormToken | None:
    """The first post's row, waiting briefly while it has written but not yet answered."""
    first = _find(token)
    for _step in range(WAIT_STEPS):
        if first is None or first.status is not None:
            break
        db.session.rollback()   # end this snapshot, to see the first post's answer
        time.sleep(WAIT_SECONDS)
        first = _find(token)
    return first


def _replay(first: FormToken):
    if first.status is None:
        return _busy()
    return current_app.response_class(first.body, first.status, first.headers)


def _busy():
    if is_swap():   # keep the form in place; say it in the page's message area
        return (f'<div id="flash-area" hx-swap-oob="true"><div class="flash flash-info" '
                f'role="status">{escape(_(BUSY))}</div></div>', 409, {"HX-Reswap": "none"})
    return render_template("errors/error.html", code=409, message=BUSY), 409
