"""Bulk survey entry for a hamlet of a review round (commune officers): the grid page, one
row saved at a time (htmx: the row answers with itself — saved, or with its errors 422, or
with someone else's newer review 409), and the live classification of a row as it is typed.

The round is loaded through its scope, the hamlet must be one of its commune's, and a row's
household through the household scope within the round: another commune's ids are 404."""

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core import audit, clock
from app.core.guards import require_roles
from app.core.htmx import is_swap, render
from app.core.once import once
from app.core.params import int_arg, page_arg
from app.core.scoping import get_scoped_or_404
from app.core.users import Role
from app.core.versioning import StaleEdit
from app.extensions import db
from app.reviews import services
from app.reviews import survey_grid as grid
from app.reviews.forms import STATUS_CHOICES
from app.reviews.models import Review, ReviewRound
from app.reviews.round_queries import commune_hamlets, round_progress
from app.reviews.rules import RuleError
from app.reviews.services import standard_for_review_year

bp = Blueprint("survey", __name__, url_prefix="/reviews/rounds/<int:round_id>/survey")
require_roles(bp, Role.COMMUNE)

PAGES = "reviews/grid/"
PAGE_SIZE = 100   # a hamlet of 80 households is one page (render time: see the tests' figure)


def _round(round_id) -> ReviewRound:
    return get_scoped_or_404(ReviewRound, round_id)


def _hamlet(round_, hamlet_id):
    """One of the round's commune's hamlets, or 404 (another commune's hamlet id)."""
    hamlet = next((h for h in commune_hamlets(round_.commune_id) if h.id == hamlet_id), None)
    if hamlet is None:
        abort(404)
    return hamlet


def _standard(round_):
    try:
        return standard_for_review_year(round_.year)
    except RuleError:
        return None


def _context(round_, hamlet, rows, total, page, standard):
    return dict(round=round_, hamlet=hamlet, rows=rows, total=total, current_page=page,
                page_size=PAGE_SIZE, **_row_context(standard))


def _row_context(standard):
    causes = grid.cause_choices()
    return dict(standard=standard, status_labels=dict(STATUS_CHOICES), causes=causes,
                cause_keys=grid.cause_keys(len(causes)))


def _page_rows(round_, hamlet, page, standard, replaced=None):
    pairs, total = grid.hamlet_households(round_, hamlet.id, page, PAGE_SIZE)
    rows = []
    for household, review in pairs:
        if replaced is not None and household.id == replaced.household.id:
            rows.append(replaced)
            continue
        preview = {"result": _saved_result(review)} if review else {"error": ""}
        rows.append(grid.Row(household, review, grid.Values.of_review(review), preview))
    return rows, total


def _saved_result(review: Review):
    """A saved review's classification as the rule left it (no recomputation per row)."""
    return {"status": review.computed_status, "indicators": len(review.deprivations),
            "score_b": review.score_b}


@bp.get("")
def grid_page(round_id):
    round_ = _round(round_id)
    hamlet_id = int_arg("hamlet", low=1)
    if hamlet_id is None:   # choose a hamlet first
        return render(PAGES + "choose.html", PAGES + "choose.html", round=round_,
                      progress=round_progress(round_))
    hamlet = _hamlet(round_, hamlet_id)
    page = page_arg()
    standard = _standard(round_)
    rows, total = _page_rows(round_, hamlet, page, standard)
    audit.viewed_households(r.household.id for r in rows)
    return render(PAGES + "grid.html", PAGES + "grid.html",
                  **_context(round_, hamlet, rows, total, page, standard))


def _row_of(round_, household_id):
    found = grid.household_of_round(round_, household_id)
    if found is None:
        abort(404)
    return found


def _answer_row(round_, row, status):
    """The row for htmx; the whole grid page (this row in it) for a plain form post."""
    standard = _standard(round_)
    if is_swap():
        return render(PAGES + "grid.html", PAGES + "_row.html", status, round=round_, row=row,
                      **_row_context(standard))
    hamlet = row.household.hamlet
    rows, total = _page_rows(round_, hamlet, 1, standard, replaced=row)
    if all(r is not row for r in rows):
        rows.insert(0, row)
    return render(PAGES + "grid.html", PAGES + "grid.html", status,
                  **_context(round_, hamlet, rows, total, 1, standard))


@bp.post("/<int:household_id>")
@once
def save_row(round_id, household_id):
    round_ = _round(round_id)
    household, review = _row_of(round_, household_id)
    standard = _standard(round_)
    form = grid.row_form(household, standard, grid.cause_choices(), request.form)
    row = grid.Row(household, review, grid.Values.of_form(form), {"error": ""})
    if review is not None and review.is_decided:
        row.error = _("Hộ đã có quyết định công nhận; sửa kết quả trên hồ sơ của hộ.")
        return _answer_row(round_, row, 422)
    if not form.validate():
        row.error = next(iter(form.errors.values()))[0]
        row.invalid = frozenset(form.errors)
        row.preview = grid.classify_row(household, round_.year, form)
        return _answer_row(round_, row, 422)
    row.preview = grid.classify_row(household, round_.year, form)
    try:
        if review is None and form.version.data:   # shown with a review that is gone
            raise StaleEdit(None, {})
        data = grid.review_input(round_, household, review, form, clock.today())
        saved = services.save_review(household, data, current_user, review,
                                          form.version.data if review else None)
        db.session.commit()
    except RuleError as exc:
        db.session.rollback()
        row.error = str(exc)
        return _answer_row(round_, row, 422)
    except (StaleEdit, IntegrityError):   # IntegrityError: the same new review saved at once
        db.session.rollback()
        return _stale(round_, household_id, form)
    if not is_swap():
        return redirect(url_for(".grid_page", round_id=round_.id, hamlet=household.hamlet_id)
                        + f"#grid-row-{household.id}", code=303)
    fresh = grid.Row(household, saved, grid.Values.of_review(saved),
                     {"result": _saved_result(saved)}, saved=True)
    return _answer_row(round_, fresh, 200)


def _stale(round_, household_id, form):
    """409: someone saved this household's review after the row was shown. The row keeps
    what this officer typed, now on top of the newer version, and shows what was saved."""
    household, current = _row_of(round_, household_id)
    form.version.data = current.version if current else ""
    row = grid.Row(household, current, grid.Values.of_form(form),
                   grid.classify_row(household, round_.year, form), stale=current)
    row.error = _("Kết quả rà soát của hộ vừa được người khác lưu; dữ liệu của hàng này chưa "
                  "được lưu. Kiểm tra số liệu mới rồi bấm Lưu lại.")
    return _answer_row(round_, row, 409)


@bp.post("/<int:household_id>/preview")
def preview_row(round_id, household_id):
    """The classification of what the row holds now (no write)."""
    round_ = _round(round_id)
    household, review = _row_of(round_, household_id)
    standard = _standard(round_)
    form = grid.row_form(household, standard, grid.cause_choices(), request.form)
    form.validate()   # parses the values; their errors come with the save
    row = grid.Row(household, review, grid.Values.of_form(form),
                   grid.classify_row(household, round_.year, form))
    if not is_swap():
        return _answer_row(round_, row, 200)
    return render(PAGES + "grid.html", PAGES + "_classification.html", row=row,
                  status_labels=dict(STATUS_CHOICES))
