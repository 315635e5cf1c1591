"""The `rounds` blueprint and the round page's context, shared by its route modules
(round_routes: list, meetings, requests; round_step_routes: pipeline, postings, decision;
round_supervision: the district's view), which app/__init__.py imports to register them."""
from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit, clock
from app.core.forms import AppForm
from app.core.guards import require_roles, roles_required
from app.core.scoping import get_scoped_or_404
from app.core.users import Role
from app.reviews import round_decision as decisions
from app.reviews import round_pipeline
from app.reviews import round_postings as postings_service
from app.reviews import round_queries as queries
from app.reviews import rules
from app.reviews.forms import STATUS_CHOICES, MeetingForm, RequestForm
from app.reviews.models import ReviewRound
from app.reviews.round_forms import ComplaintForm, DecisionForm, PostingForm, ResolveForm

bp = Blueprint("rounds", __name__, url_prefix="/reviews/rounds")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)
editor_only = roles_required(Role.COMMUNE)

PAGES = "reviews/rounds/"


def round_or_404(round_id) -> ReviewRound:
    return get_scoped_or_404(ReviewRound, round_id)


def meeting_form_for(round_, submitted=False):
    """Hamlet choices: the active hamlets of the round's commune, nothing else."""
    form = MeetingForm() if submitted else MeetingForm(formdata=None)
    form.hamlet_id.choices = [("", _("— Chọn thôn —"))] + [
        (str(h.id), h.name) for h in queries.commune_hamlets(round_.commune_id, active_only=True)]
    return form


def round_context(round_, meeting_form=None, request_form=None):
    ctx = dict(round=round_, progress=queries.round_progress(round_),
               requests=queries.round_requests(round_), meeting_form=meeting_form,
               request_form=request_form)
    audit.viewed_households(h.id for _r, h, _reviewed in ctx["requests"])
    if current_user.can_edit_cases:
        if ctx["meeting_form"] is None:
            ctx["meeting_form"] = meeting_form_for(round_)
        if ctx["request_form"] is None:
            ctx["request_form"] = RequestForm(formdata=None, requested_on=clock.today())
    return ctx


def page_context(round_, meeting_form=None, request_form=None, **step_forms):
    """The whole round page: the first steps above, the later steps (step_context)."""
    return {**round_context(round_, meeting_form, request_form),
            **step_context(round_, **step_forms)}


def complaint_prefix(posting_id):
    return f"posting{posting_id}"


def resolve_prefix(complaint_id):
    return f"complaint{complaint_id}"


def posting_form_for(round_, submitted=False):
    form = PostingForm() if submitted else PostingForm(formdata=None)
    form.hamlet_id.choices = [("", _("— Chọn thôn —"))] + [
        (str(h.id), h.name) for h in queries.commune_hamlets(round_.commune_id, active_only=True)]
    return form


def step_context(round_, posting_form=None, complaint_forms=None, resolve_forms=None,
                 decision_form=None, outcome=None, choices=None, choice_errors=None,
                 apply_error=None, apply_form=None):
    """What the pipeline, postings and decision sections need (part of the round page)."""
    pipe = round_pipeline.pipeline(round_)
    postings = postings_service.round_postings(round_)
    decided = decisions.decision_households(pipe.decision) if pipe.decision else []
    audit.viewed_households([h.household_id for h in pipe.ready] + [hh.id for _row, hh in decided])
    ctx = dict(pipe=pipe, step_labels=round_pipeline.STEP_LABELS, postings=postings,
               decision=pipe.decision, decided=decided, outcome=outcome,
               choices={c.household_id: c for c in choices or []}, choice_errors=choice_errors or {},
               status_choices=STATUS_CHOICES, apply_error=apply_error, posting_form=None,
               complaint_forms={}, resolve_forms={}, decision_form=None,
               list_year=rules.list_year(round_.year), apply_form=None)
    if current_user.can_edit_cases:
        ctx["posting_form"] = posting_form or posting_form_for(round_)
        ctx["complaint_forms"] = {p.id: ComplaintForm(formdata=None, prefix=complaint_prefix(p.id))
                                  for p in postings} | (complaint_forms or {})
        ctx["resolve_forms"] = {c.id: ResolveForm(formdata=None, prefix=resolve_prefix(c.id))
                                for p in postings for c in p.open_complaints} | (resolve_forms or {})
        ctx["apply_form"] = apply_form or AppForm(formdata=None)
        if pipe.decision is None:
            ctx["decision_form"] = decision_form or DecisionForm(
                formdata=None, list_year=rules.list_year(round_.year))
    return ctx
