"""A household's yearly reviews on its case file: the form with the live classification,
and the timeline panel."""

from flask import Blueprint, request, url_for
from flask_login import current_user

from app.core import clock
from app.core.guards import require_roles, roles_required
from app.core.htmx import is_swap, page_panel, render, saved
from app.core.once import once
from app.core.loaders import loads
from app.core.scoping import get_scoped_or_404
from app.core.users import Role
from app.core.versioning import StaleEdit
from app.extensions import db
from app.households.models import Household
from app.reviews import services
from app.reviews.forms import STATUS_CHOICES, ReviewForm
from app.reviews.models import Review
from app.reviews.queries import household_reviews, timeline_context
from app.reviews.rules import RuleError

bp = Blueprint("reviews", __name__, url_prefix="/households/<int:household_id>/reviews")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)
editor_only = roles_required(Role.COMMUNE)


def _timeline(household, status=200):
    return render("reviews/timeline_page.html", "reviews/_timeline.html", status,
                  household=household, **timeline_context(household))


@bp.get("/")
@loads(household=Household)
@page_panel()
def timeline(household):
    return _timeline(household)


def _standard_or_none(year):
    try:
        return services.standard_for_review_year(int(year))
    except (TypeError, ValueError, RuleError):
        return None


def _form_page(household, form, review, status=200, error=None, stale=False):
    standard = _standard_or_none(form.year.data)
    return render("reviews/form_page.html", "reviews/_form.html", status, household=household,
                  form=form, review=review, standard=standard, error=error, stale=stale,
                  classification=_classification(household, form, standard))


def _classification(household, form, standard):
    """The rule's answer for what the form holds now, or the reason there is none."""
    if standard is None:
        return {"error": f"Chưa có chuẩn nghèo áp dụng cho danh sách năm {form.year.data + 1}."
                if form.year.data else "Nhập năm rà soát."}
    if form.income_per_capita.data is None and form.score_a.data is None:
        return {"error": "Nhập thu nhập bình quân hoặc điểm A để tính phân loại.", "standard": standard}
    try:
        result = services.preview(household, int(form.year.data),
                                  form.indicators.data or [], form.income_per_capita.data,
                                  form.score_a.data)[1]
    except RuleError as exc:
        return {"error": str(exc), "standard": standard}
    return {"result": result, "standard": standard, "label": dict(STATUS_CHOICES)[result.status],
            "list_year": form.list_year,
            "line": standard.line_for(services.area_of(household))}


def _data(form) -> services.ReviewInput:
    return services.ReviewInput(
        year=form.year.data, review_type=form.review_type.data, review_date=form.review_date.data,
        income_per_capita=form.income_per_capita.data, score_a=form.score_a.data,
        indicator_codes=form.indicators.data or [], cause_codes=form.causes.data or [],
        has_labour=form.labour, policy_group=form.policy_group.data or None,
        needs=form.needs.data or "", decision_number=form.decision_number.data,
        decision_date=form.decision_date.data, decided_status=form.decided_status.data or None,
        override_reason=form.override_reason.data)


def _saved(household):
    """A saved review recomputes the household's path and standing: the summary, the exit
    panel and the plan panel listen for reviews-changed."""
    return saved(lambda: _timeline(household), "reviews",
                 url_for("households.case_file", household_id=household.id) + "#reviews",
                 "reviews-changed")


def _submit(household, form, review):
    form.fill_choices(_standard_or_none(form.year.data))
    if not form.validate_on_submit():
        return _form_page(household, form, review, 422)
    try:
        services.save_review(household, _data(form), current_user, review,
                             form.version.data if review else None)
        db.session.commit()
    except RuleError as exc:
        db.session.rollback()
        return _form_page(household, form, review, 422, error=str(exc))
    except StaleEdit:
        db.session.rollback()
        fresh = get_scoped_or_404(Review, review.id)
        form.version.data = fresh.version
        return _form_page(household, form, fresh, 409, stale=True)
    return _saved(household)


@bp.route("/new", methods=["GET", "POST"])
@editor_only
@once
@loads(household=Household)
def create(household):
    form = ReviewForm()
    if request.method == "GET":
        latest = next(iter(household_reviews(household.id)), None)
        form.year.data = request.args.get("year", type=int) or clock.today().year
        form.review_date.data = clock.today()
        if latest:  # carry over what rarely changes between years
            form.causes.data = latest.cause_codes
            form.has_labour.data = {True: "yes", False: "no"}.get(latest.has_labour)
            form.policy_group.data = latest.policy_group or ""
        form.fill_choices(_standard_or_none(form.year.data))
        return _form_page(household, form, None)
    return _submit(household, form, None)


@bp.route("/<int:review_id>/edit", methods=["GET", "POST"])
@editor_only
@loads(household=Household, review=Review)   # the review of that household only, or 404
def edit(household, review):
    if request.method == "POST":
        return _submit(household, ReviewForm(), review)
    form = ReviewForm(obj=review)
    form.indicators.data = [i.code for i in review.deprivations]
    form.causes.data = review.cause_codes
    form.has_labour.data = {True: "yes", False: "no"}.get(review.has_labour)
    form.decided_status.data = review.decided_status or ""
    form.policy_group.data = review.policy_group or ""
    form.version.data = review.version
    form.fill_choices(review.standard)
    return _form_page(household, form, review)


@bp.post("/classify")
@editor_only
@loads(household=Household)
def classify(household):
    """Live classification while indicators are ticked (no write)."""
    form = ReviewForm()
    standard = _standard_or_none(form.year.data)
    form.fill_choices(standard)
    form.validate()  # parses the fields; errors are shown by the full submit
    if not is_swap():  # the "Tính phân loại" button without JavaScript: the whole form again
        return _form_page(household, form, None)
    if request.headers.get("HX-Target") == "review-indicators":
        return render("reviews/form_page.html", "reviews/_indicators.html", household=household,
                      form=form, standard=standard)
    return render("reviews/form_page.html", "reviews/_classification.html", household=household,
                  classification=_classification(household, form, standard))
