"""The later steps of a round on its page: the pipeline per hamlet, public postings with their
complaints, and the commune's decision applied to many households. Routes of the `rounds`
blueprint (its role guard applies); every object is reached through its round, loaded through
its scope, so another commune's posting, complaint or decision is a 404."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.forms import AppForm
from app.core.htmx import is_swap, render, retarget
from app.core.once import once
from app.core.units import AdminUnit
from app.extensions import db
from app.reviews import round_decision as decisions
from app.reviews import round_pipeline
from app.reviews import round_postings as postings_service
from app.reviews.forms import STATUS_CHOICES
from app.reviews.round_forms import (ComplaintForm, DecisionForm, PostingForm, ResolveForm,
                                     parse_choices)
from app.reviews.round_queries import commune_hamlets
from app.reviews.round_routes import PAGES, _page_context, _round_or_404, bp, editor_only
from app.reviews.round_services import RefusedChange
from app.reviews import rules


def complaint_prefix(posting_id):
    return f"posting{posting_id}"


def resolve_prefix(complaint_id):
    return f"complaint{complaint_id}"


def _posting_form(round_, submitted=False):
    form = PostingForm() if submitted else PostingForm(formdata=None)
    form.hamlet_id.choices = [("", _("— Chọn thôn —"))] + [
        (str(h.id), h.name) for h in commune_hamlets(round_.commune_id, active_only=True)]
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
        ctx["posting_form"] = posting_form or _posting_form(round_)
        ctx["complaint_forms"] = {p.id: ComplaintForm(formdata=None, prefix=complaint_prefix(p.id))
                                  for p in postings} | (complaint_forms or {})
        ctx["resolve_forms"] = {c.id: ResolveForm(formdata=None, prefix=resolve_prefix(c.id))
                                for p in postings for c in p.open_complaints} | (resolve_forms or {})
        ctx["apply_form"] = apply_form or AppForm(formdata=None)
        if pipe.decision is None:
            ctx["decision_form"] = decision_form or DecisionForm(
                formdata=None, list_year=rules.list_year(round_.year))
    return ctx


def _section(round_, partial, status=200, **forms):
    return render(PAGES + "round.html", PAGES + partial, status,
                  **_page_context(round_, **forms))


def _written(round_, partial, target, status=200, **extra):
    """After a write: the section, with the pipeline, progress and summary refreshed out of
    band (htmx); the round page itself for a plain form post."""
    ctx = _page_context(round_, **extra)
    if not is_swap():
        return render(PAGES + "round.html", PAGES + "round.html", status, **ctx)
    response = render(PAGES + "round.html", PAGES + partial, status, **ctx)
    response.set_data(response.get_data(as_text=True)
                      + "".join(render_template(PAGES + name, oob=True, **ctx) for name in
                                ("_pipeline.html", "_summary.html", "_progress.html")))
    return retarget(response, target)


def _refused(form, exc):
    db.session.rollback()
    getattr(form, exc.field).errors.append(exc.message)


# The pipeline ------------------------------------------------------------------------------

@bp.get("/<int:round_id>/pipeline")
def pipeline(round_id):
    return _section(_round_or_404(round_id), "_pipeline.html")


# Public posting and complaints -------------------------------------------------------------

@bp.get("/<int:round_id>/postings")
def postings(round_id):
    return _section(_round_or_404(round_id), "_postings.html")


@bp.post("/<int:round_id>/postings")
@editor_only
@once
def posting_create(round_id):
    round_ = _round_or_404(round_id)
    form = _posting_form(round_, submitted=True)
    if form.validate_on_submit():
        try:
            postings_service.record_posting(
                round_, db.session.get(AdminUnit, int(form.hamlet_id.data)), form.place.data,
                form.posted_from.data, form.posted_to.data, form.front_supervised.data,
                form.note.data or "", current_user)
            db.session.commit()
        except RefusedChange as exc:
            _refused(form, exc)
        else:
            return _written(round_, "_postings.html", "postings")
    return retarget(_section(round_, "_postings.html", 422, posting_form=form), "postings")


@bp.post("/<int:round_id>/postings/<int:posting_id>/complaints")
@editor_only
@once
def complaint_create(round_id, posting_id):
    round_ = _round_or_404(round_id)
    posting = postings_service.posting_of(round_, posting_id)
    form = ComplaintForm(prefix=complaint_prefix(posting.id))
    if form.validate_on_submit():
        try:
            postings_service.record_complaint(posting, form.received_on.data, form.complainant.data,
                                              form.content.data, current_user)
            db.session.commit()
        except RefusedChange as exc:
            _refused(form, exc)
        else:
            return _written(round_, "_postings.html", "postings")
    return retarget(_section(round_, "_postings.html", 422, complaint_forms={posting.id: form}),
                    "postings")


@bp.post("/<int:round_id>/complaints/<int:complaint_id>/resolve")
@editor_only
def complaint_resolve(round_id, complaint_id):
    round_ = _round_or_404(round_id)
    complaint = postings_service.complaint_of(round_, complaint_id)
    form = ResolveForm(prefix=resolve_prefix(complaint.id))
    if form.validate_on_submit():
        try:
            postings_service.resolve_complaint(complaint, form.resolved_on.data,
                                               form.resolution.data, current_user)
            db.session.commit()
        except RefusedChange as exc:
            _refused(form, exc)
        else:
            return _written(round_, "_postings.html", "postings")
    return retarget(_section(round_, "_postings.html", 422, resolve_forms={complaint.id: form}),
                    "postings")


# The commune's decision --------------------------------------------------------------------

@bp.get("/<int:round_id>/decision")
def decision(round_id):
    return _section(_round_or_404(round_id), "_decision.html")


@bp.post("/<int:round_id>/decision")
@editor_only
@once
def decision_create(round_id):
    round_ = _round_or_404(round_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decisions.record_decision(round_, form.number.data, form.decided_on.data,
                                      form.list_year.data, form.note.data or "", current_user)
            db.session.commit()
        except RefusedChange as exc:
            _refused(form, exc)
        except IntegrityError:   # recorded by someone else at the same moment
            db.session.rollback()
            form.number.errors.append(_("Đợt rà soát này đã có quyết định."))
        else:
            return _written(round_, "_decision.html", "decision")
    return retarget(_section(round_, "_decision.html", 422, decision_form=form), "decision")


@bp.post("/<int:round_id>/decision/apply")
@editor_only
@once
def decision_apply(round_id):
    """Apply the decision to the households listed on the page, with their exceptions. A
    household whose review changed meanwhile is reported (the answer is then a 409), the
    others are applied; one that is already under the decision is skipped."""
    round_ = _round_or_404(round_id)
    decision = decisions.decision_of(round_)
    choices = parse_choices(request.form)
    if decision is None or not choices:
        message = (_("Chưa ghi quyết định của UBND xã.") if decision is None
                   else _("Chưa có hộ nào để áp dụng quyết định."))
        return retarget(_section(round_, "_decision.html", 422, choices=choices,
                                 apply_error=message, apply_form=AppForm()),
                        "decision")
    pipe = round_pipeline.pipeline(round_)
    errors = decisions.check_choices(pipe, choices)
    if errors:
        return retarget(_section(round_, "_decision.html", 422, choices=choices,
                                 choice_errors=errors, apply_form=AppForm()), "decision")
    outcome = decisions.apply_decision(decision, pipe, choices, current_user)
    db.session.commit()
    return _written(round_, "_decision.html", "decision", 409 if outcome.conflicts else 200,
                    outcome=outcome)
