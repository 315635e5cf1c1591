"""Exit proposals: the case file's panel (propose, withdraw, record the decision) and the
pipeline of proposals in the user's area. Thin views: parse → scoped load → service."""

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core import audit, clock
from app.core.guards import require_roles, roles_required
from app.core.htmx import page_panel, render, saved
from app.core.i18n import N_
from app.core.once import once
from app.core.loaders import loads
from app.core.scoping import get_scoped_or_404, scoped
from app.core.users import Role
from app.core.versioning import StaleEdit
from app.extensions import db
from app.households.models import Household
from app.reviews import exits, overview
from app.reviews.exits import EXIT_TARGETS, ExitRefused
from app.reviews.exit_forms import ExitDecisionForm, ExitProposalForm, ExitWithdrawForm
from app.reviews.forms import STATUS_CHOICES
from app.reviews.labels import STATUS_LABELS, TRANSITION_LABELS
from app.reviews.models import ExitProposal, Review
from app.reviews.queries import reviews_to_check

bp = Blueprint("exits", __name__, url_prefix="/reviews/exits")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)
editor_only = roles_required(Role.COMMUNE)

STATE_LABELS = {ExitProposal.PROPOSED: N_("Đang đề nghị"), ExitProposal.DECIDED: N_("Đã quyết định"),
                ExitProposal.WITHDRAWN: N_("Đã rút")}


def _stale():
    return _("Đề nghị vừa được người khác cập nhật; thao tác của bạn chưa được lưu. "
             "Tình trạng hiện tại của đề nghị ở bảng dưới.")


def exit_panel_context(household, propose_form=None, decide_form=None, withdraw_form=None,
                       errors=None) -> dict:
    """What reviews/_exit_panel.html needs (keys prefixed `exit_`). The case file loads the
    panel from this blueprint (exits.panel); nothing else builds it."""
    proposals = exits.household_proposals(household.id)
    open_proposal = next((p for p in proposals if p.state == ExitProposal.PROPOSED), None)
    ctx = dict(exit_proposals=proposals, exit_open=open_proposal,
               exit_can_propose=household.status in EXIT_TARGETS and open_proposal is None,
               exit_errors=errors or {}, exit_users=overview.user_names(
                   [p.proposed_by_id for p in proposals] + [p.decided_by_id for p in proposals]),
               exit_state_labels=STATE_LABELS, exit_status_labels=dict(STATUS_CHOICES),
               exit_propose_form=None, exit_decide_form=None, exit_withdraw_form=None,
               exit_review=None)
    if not current_user.can_edit_cases:
        return ctx
    if ctx["exit_can_propose"] or propose_form is not None:
        if propose_form is None:
            propose_form = ExitProposalForm(formdata=None)
            propose_form.year.data = max(clock.today().year, household.status_year or 0)
        propose_form.fill_choices(_targets(household))
        ctx["exit_propose_form"] = propose_form
    if open_proposal is not None:
        if decide_form is None:
            decide_form = ExitDecisionForm(formdata=None)
        if withdraw_form is None:
            withdraw_form = ExitWithdrawForm(formdata=None)
        decide_form.version.data = withdraw_form.version.data = open_proposal.version
        ctx.update(exit_decide_form=decide_form, exit_withdraw_form=withdraw_form,
                   exit_review=db.session.scalar(scoped(select(Review).where(
                       Review.household_id == household.id, Review.year == open_proposal.year))))
    return ctx


def _targets(household):
    # On no list: offer the poor household's choices; the rule refuses with its own message.
    return EXIT_TARGETS.get(household.status, EXIT_TARGETS["poor"])


def _panel(household, status=200, **forms):
    return render("reviews/exit_panel_page.html", "reviews/_exit_panel.html", status,
                  household=household, **exit_panel_context(household, **forms))


def _saved(household):
    """A decision writes the household's review and path: the summary (with the page's
    header) and the timeline listen for exits-changed."""
    return saved(lambda: _panel(household), "exit-panel",
                 url_for("households.case_file", household_id=household.id) + "#exit-panel",
                 "exits-changed")


def _household_of(proposal):
    # The household through its own scope too: a deleted household's proposals are gone.
    return get_scoped_or_404(Household, proposal.household_id)


@bp.get("/panel/<int:household_id>")
@loads(household=Household)
@page_panel()
def panel(household):
    return _panel(household)


@bp.post("/propose/<int:household_id>")
@editor_only
@once
@loads(household=Household)
def propose(household):
    form = ExitProposalForm()
    form.fill_choices(_targets(household))
    errors = {}
    if household.status not in EXIT_TARGETS:   # the rule first: no point listing form errors
        errors["propose"] = _(exits.NOT_IN_LISTS)
    elif form.validate_on_submit():
        try:
            exits.propose(household, exits.ExitInput(form.year.data, form.to_status.data,
                                                     form.evidence.data, form.note.data or ""),
                          current_user)
            db.session.commit()
            return _saved(household)
        except ExitRefused as exc:
            db.session.rollback()
            _refused(exc, form, errors, "propose")
    return _panel(household, 422, propose_form=form, errors=errors)


def _refused(exc, form, errors, key):
    if exc.field and hasattr(form, exc.field):
        getattr(form, exc.field).errors = [*getattr(form, exc.field).errors, exc.message]
    else:
        errors[key] = exc.message


@bp.post("/<int:proposal_id>/withdraw")
@editor_only
@loads(proposal=ExitProposal)
def withdraw(proposal):
    household = _household_of(proposal)
    form = ExitWithdrawForm()
    errors, status = {}, 422
    if form.validate_on_submit():
        try:
            exits.withdraw(proposal, form.reason.data, form.version.data, current_user)
            db.session.commit()
            return _saved(household)
        except ExitRefused as exc:
            db.session.rollback()
            _refused(exc, form, errors, "withdraw")
        except StaleEdit:
            db.session.rollback()
            errors["stale"], status = _stale(), 409
    return _panel(household, status, withdraw_form=form, errors=errors)


@bp.post("/<int:proposal_id>/decide")
@editor_only
@loads(proposal=ExitProposal)
def decide(proposal):
    household = _household_of(proposal)
    form = ExitDecisionForm()
    errors, status = {}, 422
    if form.validate_on_submit():
        try:
            exits.decide(proposal, household, form.decision_number.data, form.decision_date.data,
                         form.version.data, current_user)
            db.session.commit()
            return _saved(household)
        except ExitRefused as exc:
            db.session.rollback()
            _refused(exc, form, errors, "decide")
        except StaleEdit:
            db.session.rollback()
            errors["stale"], status = _stale(), 409
    return _panel(household, status, decide_form=form, errors=errors)


# Pipeline -----------------------------------------------------------------------------------

@bp.get("/")
def index():
    params = overview.PipelineParams.from_args(request.args)
    groups = overview.pipeline(params)
    ids = [p.proposed_by_id for g in (groups["proposed"], groups["decided"]) for p in g.rows]
    communes = overview.communes_in_scope()
    ctx = dict(params=params, groups=groups, years=overview.pipeline_years(), communes=communes,
               commune_names={c.id: c.name for c in communes}, state_labels=STATE_LABELS,
               users=overview.user_names(ids), status_labels=STATUS_LABELS,
               transition_labels=TRANSITION_LABELS, group_limit=overview.GROUP_LIMIT,
               to_check=reviews_to_check(params.year, params.commune.id if params.commune else None,
                                         overview.GROUP_LIMIT))
    audit.viewed_households([p.household_id for g in (groups["proposed"], groups["decided"])
                             for p in g.rows] + [h.id for h in groups["relapsed"].rows]
                            + [h.id for _r, h in ctx["to_check"][1]])
    if request.headers.get("HX-Target") == "exit-pipeline":
        return render("reviews/exits_pipeline.html", "reviews/_exits_pipeline.html", **ctx)
    return render("reviews/exits_pipeline.html", "reviews/exits_pipeline.html", **ctx)
