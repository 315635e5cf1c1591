"""An administrator's corrections of a poverty standard: its numbers, area lines and indicator
labels, each audited with before → after.

Saved reviews keep what was computed when they were saved (computed_status, score_b); the
corrected numbers apply to every classification computed from now on, so a review is
recomputed only when it is saved again."""
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.core import audit
from app.core.text import clean
from app.extensions import db
from app.reviews import rules
from app.reviews.models import RURAL, URBAN, Indicator, PovertyStandard, Review, StandardLine

AREAS = (RURAL, URBAN)
STANDARD_FIELDS = ("name", "legal_basis", "list_year_from", "list_year_to", "is_provisional",
                   "deprivation_threshold", "points_per_indicator", "note")
LINE_FIELDS = ("poor_by_income", "line", "middle_line", "score_a_line")


class Refused(ValueError):
    """A correction the rules refuse; `errors`: form field name → Vietnamese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def snapshot(standard: PovertyStandard) -> dict:
    """The editable values, flat: the standard's fields, then `<area>_<line field>`."""
    data = audit.snapshot(standard, STANDARD_FIELDS)
    for area in AREAS:
        line = _line(standard, area)
        data.update({f"{area}_{f}": getattr(line, f) if line else None for f in LINE_FIELDS})
    return data


def _line(standard, area) -> StandardLine | None:
    return next((line for line in standard.lines if line.area == area), None)


def overlapping(standard, year_from: int, year_to: int) -> PovertyStandard | None:
    """Another standard sharing a list year with [year_from, year_to]: one year, one standard."""
    return db.session.scalar(select(PovertyStandard).where(
        PovertyStandard.id != standard.id, PovertyStandard.list_year_from <= year_to,
        PovertyStandard.list_year_to >= year_from).order_by(PovertyStandard.list_year_from).limit(1))


def _orphaned_years(standard, year_from: int, year_to: int) -> list[int]:
    """List years of saved reviews computed under `standard` that the new range would leave
    out (they could no longer be saved again). An integrity check over years only: no
    household row is read, so it needs no user scope."""
    lists = rules.list_year(Review.year)   # the same rule, as an SQL expression
    return list(db.session.scalars(select(lists).distinct().where(
        Review.standard_id == standard.id, or_(lists < year_from, lists > year_to))
        .order_by(lists)))


def check(standard, data: dict) -> None:
    """The rules across fields; the form has checked each field alone (types, ranges)."""
    errors = {}
    year_from, year_to = data["list_year_from"], data["list_year_to"]
    clash = overlapping(standard, year_from, year_to)
    if clash is not None:
        errors["list_year_from"] = _("Khoảng năm %(years)s trùng với chuẩn nghèo %(name)s (%(other)s): "
                                     "mỗi năm chỉ áp dụng một chuẩn.",
                                     years=f"{year_from}–{year_to}", name=clash.name,
                                     other=clash.years_label)
    else:
        orphaned = _orphaned_years(standard, year_from, year_to)
        if orphaned:
            errors["list_year_from"] = _(
                "Đã có kỳ rà soát lập danh sách năm %(years)s tính theo chuẩn này: khoảng năm "
                "phải bao gồm các năm đó.", years=", ".join(map(str, orphaned)))
    for area in AREAS:
        poor, line, middle = (data[f"{area}_poor_by_income"], data[f"{area}_line"],
                              data[f"{area}_middle_line"])
        if line is None:
            continue
        if poor is not None and line <= poor:
            errors[f"{area}_line"] = _("Mức chuẩn nghèo phải cao hơn mức nghèo theo thu nhập.")
        if middle is not None and middle <= line:
            errors[f"{area}_middle_line"] = _("Mức sống trung bình phải cao hơn mức chuẩn nghèo.")
    if errors:
        raise Refused(errors)


def update_standard(standard: PovertyStandard, data: dict) -> bool:
    """Apply `data` (the keys of snapshot(); others ignored) after check(). Returns whether
    anything changed; a change is audited as one row with the changed values only."""
    check(standard, data)
    before = snapshot(standard)
    for f in STANDARD_FIELDS:
        setattr(standard, f, data[f])
    for area in AREAS:
        line = _line(standard, area)
        if line is None:
            line = StandardLine(area=area)
            standard.lines.append(line)
        for f in LINE_FIELDS:
            setattr(line, f, data[f"{area}_{f}"])
    after = snapshot(standard)
    if after == before:
        return False
    audit.record("update", "poverty_standard", standard.id, before, after)
    return True


def rename_indicator(indicator: Indicator, label: str) -> bool:
    """Correct an indicator's label (stored NFC, spaces collapsed). Returns whether it changed."""
    label = clean(label)
    if not label or len(label) > 200:
        raise Refused({"label": _("Nhãn chỉ số không được để trống và không dài quá 200 ký tự.")})
    if label == indicator.label:
        return False
    audit.record("update", "poverty_indicator", indicator.id, {"label": indicator.label},
                 {"label": label})
    indicator.label = label
    return True
