"""Transitions overview (biến động): per commune and transition, the households whose decided
review of a year has it; how many stay poor year after year; a bar chart drawn server-side."""
from flask import Blueprint, request

from app.core.guards import require_roles
from app.core.htmx import render
from app.core.users import Role
from app.reviews import overview
from app.reviews.labels import TRANSITION_LABELS
from app.reviews.rules import TRANSITIONS

bp = Blueprint("transitions", __name__, url_prefix="/reviews")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)


@bp.get("/transitions")
def index():
    years = overview.review_years()
    year, refused = overview.resolve_year(request.args.get("year"), years)
    rows, totals = overview.overview(year)
    ctx = dict(year=year, years=years, refused=refused, requested=request.args.get("year"),
               rows=rows, totals=totals, chart=overview.chart(rows), transitions=TRANSITIONS,
               transition_labels=TRANSITION_LABELS, still_poor_years=overview.STILL_POOR_YEARS)
    if request.headers.get("HX-Target") == "transitions-overview":
        return render("reviews/transitions.html", "reviews/_transitions.html", **ctx)
    return render("reviews/transitions.html", "reviews/transitions.html", **ctx)
