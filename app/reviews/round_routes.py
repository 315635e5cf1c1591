"""A commune's review round per year: list and open rounds, follow progress by hamlet, print
the households not yet reviewed, record hamlet meetings and household review requests.

Commune officers write; district officers and the Fatherland Front (who supervise the review)
read. Rounds are scoped by their commune, meetings are reached through their round, and a
household named by code is resolved through the household scope."""

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core import audit, clock
from app.core.htmx import is_swap, render, saved
from app.core.once import once
from app.core.params import int_arg, page_arg
from app.core.text import clean
from app.core.units import COMMUNE, AdminUnit
from app.extensions import db
from app.reviews import round_queries as queries
from app.reviews import round_services as services
from app.reviews.forms import RequestForm, RoundForm
from app.reviews.round_page import PAGES, bp, editor_only, meeting_form_for, page_context, round_or_404

def _own_commune():
    """The commune a commune officer opens rounds for; none means no write at all."""
    unit = current_user.unit
    if unit is None or unit.level != COMMUNE or not unit.is_active:
        abort(403)
    return unit


# The list of rounds -----------------------------------------------------------------------

def _list_context(form=None):
    year, page = int_arg("year", low=1), page_arg()
    page_size = current_app.config["PAGE_SIZE"]
    rounds, total = queries.rounds_page(year, page, page_size)
    if form is None and current_user.can_edit_cases:
        form = RoundForm(formdata=None, year=clock.today().year)
    return dict(summaries=queries.summaries(rounds), total=total, current_page=page, page_size=page_size,
                year=year, years=queries.round_years(), form=form)


@bp.get("/")
def index():
    ctx = _list_context()
    if request.headers.get("HX-Target") == "rounds":
        return render(PAGES + "list.html", PAGES + "_rounds.html", **ctx)
    return render(PAGES + "list.html", PAGES + "list.html", **ctx)


@bp.post("/")
@editor_only
@once
def create():
    commune = _own_commune()
    form = RoundForm()
    if form.validate_on_submit():
        try:
            round_ = services.create_round(commune, form.year.data, form.starts_on.data,
                                           form.ends_on.data, form.note.data or "")
            db.session.commit()
        except services.RefusedChange as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        except IntegrityError:   # the same round opened at the same moment by someone else
            db.session.rollback()
            form.year.errors.append(_("%(commune)s đã có đợt rà soát năm %(year)s.",
                                      commune=commune.name, year=form.year.data))
        else:
            target = url_for(".show", round_id=round_.id)
            if is_swap():   # the officer goes on to work in the new round
                response = current_app.response_class(status=204)
                response.headers["HX-Redirect"] = target
                return response
            return redirect(target, code=303)
    return render(PAGES + "list.html", PAGES + "_round_form.html", 422, **_list_context(form))


# One round --------------------------------------------------------------------------------

@bp.get("/<int:round_id>")
def show(round_id):
    round_ = round_or_404(round_id)
    return render(PAGES + "round.html", PAGES + "round.html", **page_context(round_))


@bp.get("/<int:round_id>/pending")
def pending(round_id):
    """The printable list of households not reviewed yet (optionally one hamlet)."""
    round_ = round_or_404(round_id)
    hamlets = queries.commune_hamlets(round_.commune_id)
    hamlet_id = int_arg("hamlet", low=1)
    hamlet = next((h for h in hamlets if h.id == hamlet_id), None)
    rows = queries.pending_households(round_, hamlet.id if hamlet else None)
    audit.viewed_households(h.id for h in rows)
    return render(PAGES + "pending.html", PAGES + "pending.html", round=round_, rows=rows,
                  hamlets=hamlets, hamlet=hamlet, printed_on=clock.today())


def _saved(round_, partial, target):
    """After a write: the refreshed section for htmx, with the round's summary and progress
    table refreshed out of band; a redirect to the round page for a plain form post."""
    def section():
        ctx = page_context(round_)
        response = render(PAGES + "round.html", partial, **ctx)
        response.set_data(response.get_data(as_text=True)
                          + render_template(PAGES + "_summary.html", oob=True, **ctx)
                          + render_template(PAGES + "_pipeline.html", oob=True, **ctx)
                          + render_template(PAGES + "_progress.html", oob=True, **ctx))
        return response
    return saved(section, target, url_for(".show", round_id=round_.id) + "#" + target)


# Hamlet meetings (append-only) ------------------------------------------------------------

@bp.get("/<int:round_id>/meetings")
def meetings(round_id):
    round_ = round_or_404(round_id)
    return render(PAGES + "round.html", PAGES + "_meetings.html", **page_context(round_))


@bp.post("/<int:round_id>/meetings")
@editor_only
@once
def meeting_create(round_id):
    round_ = round_or_404(round_id)
    form = meeting_form_for(round_, submitted=True)
    if form.validate_on_submit():
        # A hamlet id that is not one of the choices has already failed validation (422);
        # the service checks the hamlet belongs to the round's commune all the same.
        hamlet = db.session.get(AdminUnit, int(form.hamlet_id.data))
        try:
            services.record_meeting(round_, hamlet, form.held_on.data, form.attendance.data,
                                    form.agreeing.data, form.front_supervised.data,
                                    form.note.data or "", current_user)
            db.session.commit()
        except services.RefusedChange as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            return _saved(round_, PAGES + "_meetings.html", "meetings")
    return render(PAGES + "round.html", PAGES + "_meeting_form.html", 422,
                  **page_context(round_, meeting_form=form))


# Review requests (append-only) ------------------------------------------------------------

@bp.get("/<int:round_id>/requests")
def requests(round_id):
    round_ = round_or_404(round_id)
    return render(PAGES + "round.html", PAGES + "_requests.html", **page_context(round_))


@bp.post("/<int:round_id>/requests")
@editor_only
@once
def request_create(round_id):
    round_ = round_or_404(round_id)
    form = RequestForm()
    if form.validate_on_submit():
        household = queries.household_by_code(round_, clean(form.household_code.data))
        try:
            services.record_request(round_, household, form.requested_on.data,
                                    form.reason.data, current_user)
            db.session.commit()
        except services.RefusedChange as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            return _saved(round_, PAGES + "_requests.html", "requests")
    return render(PAGES + "round.html", PAGES + "_request_form.html", 422,
                  **page_context(round_, request_form=form))
