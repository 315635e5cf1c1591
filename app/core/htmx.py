"""render(): the partial for a real htmx swap, the full page otherwise."""
from flask import make_response, render_template

from app.extensions import htmx


def is_swap() -> bool:
    # Boosted links send HX-Request too, but they want the whole page.
    return bool(htmx) and not htmx.boosted


def render(page: str, partial: str, status: int = 200, **ctx):
    response = make_response(render_template(partial if is_swap() else page, **ctx), status)
    response.vary.add("HX-Request")
    # Personal data must not linger in htmx's history cache (localStorage).
    response.headers["Cache-Control"] = "no-store"
    return response
