"""The later steps of a round on its page: the pipeline per hamlet, public postings with their
complaints, and the commune's decision applied to many households. Routes of the `rounds`
blueprint (its role guard applies); every object is reached through its round, loaded through
its scope, so another commune's posting, complaint or decision is a 404."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core.forms import AppForm
from app.core.htmx import is_swap, render, retarget
from app.core.once import once
from app.core.units import AdminUnit
from app.extensions import db
from app.reviews import round_decision as decisions
from app.reviews import round_pipeline
from app.reviews import round_postings as postings_service
from app.reviews.round_forms import (ComplaintForm, DecisionForm, ResolveForm,
                                     parse_choices)
from app.reviews.round_page import (PAGES, bp, complaint_prefix, editor_only, page_context,
                                    posting_form_for, resolve_prefix, round_or_404)
from app.reviews.round_services import RefusedChange


def _section(round_, partial, status=200, **forms):
    return render(PAGES + "round.html", PAGES + partial, status,
                  **page_context(round_, **forms))


def _written(round_, partial, target, status=200, **extra):
    """After a write: the section, with the pipeline, progress and summary refreshed out of
    band (htmx); the round page itself for a plain form post."""
    ctx = page_context(round_, **extra)
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
    return _section(round_or_404(round_id), "_pipeline.html")


# Public posting and complaints -------------------------------------------------------------

@bp.get("/<int:round_id>/postings")
def postings(round_id):
    return _section(round_or_404(round_id), "_postings.html")


@bp.post("/<int:round_id>/postings")
@editor_only
@once
def posting_create(round_id):
    round_ = round_or_404(round_id)
    form = posting_form_for(round_, submitted=True)
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
    round_ = round_or_404(round_id)
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
    round_ = round_or_404(round_id)
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
    return _section(round_or_404(round_id), "_decision.html")


@bp.post("/<int:round_id>/decision")
@editor_only
@once
def decision_create(round_id):
    round_ = round_or_404(round_id)
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
    round_ = round_or_404(round_id)
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
