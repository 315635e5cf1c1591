"""Supervision of review rounds (read-only): the district or province officer follows every
commune's round, step by step, late ones first to the eye, and drills into a commune's round;
the Fatherland Front sees the hamlet meetings and the postings it supervised. Routes of the
`rounds` blueprint; every row is read through the scope of the round it belongs to."""
from datetime import date

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core.params import int_arg
from app.core.htmx import render
from app.core.scoping import scoped, units_in_scope
from app.core.units import COMMUNE
from app.extensions import db
from app.reviews import round_pipeline
from app.reviews.models import HamletMeeting, ReviewRound
from app.reviews.round_models import RoundPosting
from app.reviews.round_queries import round_years, rounds_in_scope
from app.reviews.round_page import PAGES, bp


def _year():
    years = round_years()
    return int_arg("year", low=1) or (years[0] if years else clock.today().year), years


@bp.get("/progress")
def supervision():
    """Every commune of the area for one year: its round's steps × counts, or no round yet."""
    year, years = _year()
    rounds = db.session.scalars(rounds_in_scope(year)).unique().all()
    pipes = {p.round.commune_id: p for p in round_pipeline.pipelines(rounds).values()}
    deadline = date(year, *round_pipeline.PERIODIC_REVIEW_ENDS)
    rows = [(commune, pipes.get(commune.id)) for commune in db.session.scalars(units_in_scope(COMMUNE))]
    late = sum(1 for _c, p in rows if (p.late if p else clock.today() > deadline))
    ctx = dict(rows=rows, year=year, years=years, step_labels=round_pipeline.STEP_LABELS,
               deadline=deadline, today=clock.today(), late=late)
    partial = "_supervision.html" if request.headers.get("HX-Target") == "supervision" else "supervision.html"
    return render(PAGES + "supervision.html", PAGES + partial, **ctx)


@bp.get("/supervised")
def supervised():
    """The meetings and postings the Front supervised, newest first, with their complaints."""
    year, years = _year()
    meetings = db.session.scalars(
        scoped(select(HamletMeeting).join(ReviewRound), ReviewRound)
        .where(ReviewRound.year == year, HamletMeeting.front_supervised.is_(True))
        .order_by(HamletMeeting.held_on.desc(), HamletMeeting.id.desc())).unique().all()
    postings = db.session.scalars(
        scoped(select(RoundPosting).join(ReviewRound), ReviewRound)
        .where(ReviewRound.year == year, RoundPosting.front_supervised.is_(True))
        .options(selectinload(RoundPosting.complaints))
        .order_by(RoundPosting.posted_from.desc(), RoundPosting.id.desc())).unique().all()
    rounds = {r.id: r for r in db.session.scalars(select(ReviewRound).where(
        ReviewRound.id.in_({m.round_id for m in meetings} | {p.round_id for p in postings})))}
    return render(PAGES + "supervised.html", PAGES + "supervised.html", meetings=meetings,
                  postings=postings, rounds=rounds, year=year, years=years, today=clock.today())
