"""render(): the partial for a real htmx swap, the full page otherwise. saved(): after a write,
the refreshed panel or a redirect, announcing what changed (announce). A page made of panels
that load themselves: page_view_token / page_panel keep its audit to one 'view' row."""
from functools import wraps

from flask import current_app, make_response, redirect, render_template, request
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from app.core import audit
from app.extensions import htmx


def is_swap() -> bool:
    # Boosted links send HX-Request too, but they want the whole page.
    return bool(htmx) and not htmx.boosted


def retarget(response, element_id: str):
    """Send this answer to #element_id in place of the element that asked: a form inside a
    panel answers with the whole refreshed panel."""
    response.headers["HX-Retarget"] = "#" + element_id
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def announce(response, *events: str):
    """Tell the page what a write changed: htmx fires each event (HX-Trigger) on the element
    that asked, it bubbles to <body>, and the panels that show it reload themselves
    (hx-trigger="reviews-changed from:body"). Events add up; each once."""
    if events:
        known = [e.strip() for e in response.headers.get("HX-Trigger", "").split(",")]
        response.headers["HX-Trigger"] = ", ".join(dict.fromkeys(e for e in known + list(events)
                                                                 if e))
    return response


def saved(render_panel, element_id: str | None, page_url: str, *events: str):
    """After a write: for htmx the refreshed panel (sent to #element_id when given) announcing
    `events`; for a plain form post a 303 to the page, which shows everything fresh."""
    if not is_swap():
        return redirect(page_url, code=303)
    response = render_panel()
    if element_id:
        retarget(response, element_id)
    return announce(response, *events)


def render(page: str, partial: str, status: int = 200, **ctx):
    response = make_response(render_template(partial if is_swap() else page, **ctx), status)
    response.vary.add("HX-Request")
    # Personal data must not linger in htmx's history cache (localStorage).
    response.headers["Cache-Control"] = "no-store"
    return response


# A page and its panels are one view -----------------------------------------------------------
# The case file is a page whose panels load themselves, each from its own domain's URL. The
# page's GET records the one 'view' row (core.audit); it hands its panels a signed token naming
# the user and the object shown, sent on every htmx request from the page (hx-headers). A panel
# GET carrying a valid token for the same user and object records no row of its own: the
# page's row already says who saw this case, and when. Without it (a panel opened as its own
# page, a forged, foreign or expired token) the panel records its view as any page does.

PAGE_VIEW_HEADER = "X-Page-View"


def _signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="page-view")


def page_view_token(obj) -> str | None:
    """For the page that shows `obj` and records its view: only a GET records one."""
    if request.method != "GET" or not current_user.is_authenticated:
        return None
    return _signer().dumps([current_user.id, obj.__tablename__, obj.id])


def _covered_by_page(obj) -> bool:
    token = request.headers.get(PAGE_VIEW_HEADER)
    if not token or request.method != "GET":
        return False
    try:
        # A page stays open at most as long as the login that opened it.
        shown = _signer().loads(token, max_age=int(
            current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds()))
    except BadData:
        return False
    return shown == [current_user.id, obj.__tablename__, obj.id]


def page_panel(name: str = "household"):
    """A panel of a page (below @loads): its GET from the page that recorded the view of
    kwargs[name] (see above) records none of its own."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            response = view(*args, **kwargs)
            if _covered_by_page(kwargs[name]):
                audit.covered()
            return response
        return wrapped
    return decorator
