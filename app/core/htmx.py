"""render(): the partial for a real htmx swap, the full page otherwise."""
from flask import make_response, redirect, render_template

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


def saved(render_panel, element_id: str, page_url: str):
    """After a write: the refreshed panel for htmx, a 303 to the page for a plain form post."""
    if not is_swap():
        return redirect(page_url, code=303)
    return retarget(render_panel(), element_id)


def render(page: str, partial: str, status: int = 200, **ctx):
    response = make_response(render_template(partial if is_swap() else page, **ctx), status)
    response.vary.add("HX-Request")
    # Personal data must not linger in htmx's history cache (localStorage).
    response.headers["Cache-Control"] = "no-store"
    return response
