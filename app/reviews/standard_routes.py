"""Admin: view and correct the poverty standards (lines, numbers, indicator labels) without
a release. Writes go through reviews.standards, which audits them."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.guards import require_roles
from app.core.htmx import is_swap, render
from app.core.users import Role
from app.extensions import db
from app.reviews import standards
from app.reviews.models import Dimension, Indicator, PovertyStandard
from app.reviews.standard_forms import IndicatorLabelForm, StandardForm

bp = Blueprint("standards", __name__, url_prefix="/admin/standards")
require_roles(bp, Role.ADMIN)


def saved_note() -> str:
    return _("Các kỳ rà soát đã lưu giữ nguyên kết quả đã tính; phân loại chỉ được tính lại "
             "khi kỳ rà soát đó được lưu lại.")


@bp.get("/")
def index():
    rows = db.session.scalars(select(PovertyStandard).options(
        selectinload(PovertyStandard.lines), selectinload(PovertyStandard.dimensions),
        selectinload(PovertyStandard.indicators)).order_by(PovertyStandard.list_year_from)).all()
    return render_template("admin/standards.html", standards=rows)


def _standard_or_404(standard_id) -> PovertyStandard:
    return db.session.scalar(select(PovertyStandard).where(PovertyStandard.id == standard_id).options(
        selectinload(PovertyStandard.lines),
        selectinload(PovertyStandard.dimensions).selectinload(Dimension.indicators))) or abort(404)


@bp.route("/<int:standard_id>", methods=["GET", "POST"])
def edit(standard_id):
    standard = _standard_or_404(standard_id)
    form = StandardForm(data=standards.snapshot(standard))
    if form.validate_on_submit():
        try:
            changed = standards.update_standard(standard, form.data)
        except standards.Refused as exc:  # checked before anything was changed
            for name, message in exc.errors.items():
                form[name].errors.append(message)
        else:
            db.session.commit()
            if changed:
                flash(_("Đã lưu chuẩn nghèo %(years)s.", years=standard.years_label) + " "
                      + saved_note(), "success")
            else:
                flash(_("Không có thay đổi nào."), "info")
            return redirect(url_for(".edit", standard_id=standard.id), code=303)
    return render_template("admin/standard_form.html", standard=standard, form=form,
                           note=saved_note()), 422 if form.errors else 200


def _indicator_answer(standard, indicator, status=200, **ctx):
    """The row for an htmx swap, the whole page otherwise (same markup: the page includes the
    row partial)."""
    form = None if is_swap() else StandardForm(formdata=None, data=standards.snapshot(standard))
    return render("admin/standard_form.html", "admin/_indicator_row.html", status,
                  standard=standard, i=indicator, form=form, note=saved_note(), **ctx)


@bp.post("/<int:standard_id>/indicators/<int:indicator_id>")
def indicator_label(standard_id, indicator_id):
    """Inline edit of one label: the row back (htmx), or the page (plain form post)."""
    standard = _standard_or_404(standard_id)
    indicator = db.session.scalar(select(Indicator).where(
        Indicator.id == indicator_id, Indicator.standard_id == standard.id)) or abort(404)
    form = IndicatorLabelForm()
    errors = None
    if form.validate_on_submit():
        try:
            changed = standards.rename_indicator(indicator, form.label.data)
        except standards.Refused as exc:
            errors = list(exc.errors.values())
        else:
            db.session.commit()
            if is_swap():
                return _indicator_answer(standard, indicator, saved=changed)
            if changed:
                flash(_("Đã lưu nhãn chỉ số %(number)s.", number=indicator.number) + " "
                      + saved_note(), "success")
            return redirect(url_for(".edit", standard_id=standard.id), code=303)
    bad = {"id": indicator.id, "value": form.label.raw_data[0] if form.label.raw_data else "",
           "errors": errors or form.label.errors}
    return _indicator_answer(standard, indicator, 422, bad=bad)
