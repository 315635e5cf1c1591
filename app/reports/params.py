"""The selectors of the report pages (year, unit, period, growth), validated: a value that is
not a number, not a date, or names a unit outside the user's scope falls back to the default
and the page says so — never a 500, never another area's data."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.scoping import scoped, units_in_scope
from app.core.units import HAMLET, AdminUnit
from app.extensions import db
from app.reports.arithmetic import format_bp
from app.reviews import overview
from app.reviews.models import Review
from app.targets.models import Target

DEFAULT_GROWTH_BP = 70       # "Tổng số hộ dân (tăng khoảng 0,7%)", seed 003's heading
MAX_GROWTH_BP = 1000         # 10 %
MAX_PERIOD_DAYS = 366 * 10


@dataclass
class Params:
    year: int | None = None
    unit: AdminUnit | None = None
    start: date | None = None
    end: date | None = None
    growth_bp: int | None = None
    refused: list[str] = field(default_factory=list)   # what fell back, said on the page

    def query_args(self) -> dict:
        args = {"year": self.year, "unit": self.unit.id if self.unit else None,
                "from": self.start.strftime("%d/%m/%Y") if self.start else None,
                "to": self.end.strftime("%d/%m/%Y") if self.end else None,
                "growth": format_bp(self.growth_bp) if self.growth_bp is not None else None}
        return {k: v for k, v in args.items() if v is not None}


def _short(raw) -> str:
    text = str(raw)
    return text if len(text) <= 20 else text[:19] + "…"


# Years ----------------------------------------------------------------------------------------

def review_year(raw, user=None) -> tuple[int, list[int], str | None]:
    """A year with decided reviews in scope (the transitions overview's rule)."""
    years = _review_years(user)
    year, refused = overview.resolve_year(raw, years)
    message = _("Năm “%(raw)s” không có kết quả rà soát; đang hiển thị năm %(year)s.",
                raw=_short(raw), year=year) if refused else None
    return year, years, message


def _review_years(user) -> list[int]:
    """Years with decided reviews in the user's scope, newest first."""
    return list(db.session.scalars(
        scoped(select(Review.year).where(Review.decided_status.is_not(None)).distinct(),
               Review, user).order_by(Review.year.desc())))


def plan_years(user=None) -> list[int]:
    """Plan years on offer: each year after one with decided reviews, and years with targets."""
    reviewed = _review_years(user)
    targeted = db.session.scalars(scoped(select(Target.year).distinct(), Target, user)).all()
    return sorted({y + 1 for y in reviewed} | set(targeted), reverse=True)


def plan_year(raw, user=None) -> tuple[int, list[int], str | None]:
    """The plan year: a year on offer; the current year when on offer, else the latest."""
    years = plan_years(user)
    today = clock.today().year
    fallback = today if today in years or not years else years[0]
    if raw in (None, ""):
        return fallback, years, None
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = None
    if year is None or (years and year not in years) or (not years and year != fallback):
        return fallback, years, _("Năm “%(raw)s” không có số liệu; đang hiển thị năm %(year)s.",
                                  raw=_short(raw), year=fallback)
    return year, years, None


# Units ----------------------------------------------------------------------------------------

def unit_choices(user=None, level: str | None = None) -> list[AdminUnit]:
    """Units the user may report on, in tree order: any unit of the scope above hamlet (or
    only communes, for the hamlet tables)."""
    stmt = units_in_scope(level, user)
    if level is None:
        stmt = stmt.where(AdminUnit.level != HAMLET)
    return sorted(db.session.scalars(stmt).all(), key=lambda u: u.ancestor_ids)


def report_unit(raw, user, level: str | None = None) -> tuple[AdminUnit | None, str | None]:
    """The unit named by `raw` when the user may report on it; else the user's own unit (or,
    for commune-level tables, the first commune of the scope)."""
    choices = unit_choices(user, level)
    default = None
    own = getattr(user, "unit", None)
    if own is not None and own.is_active and (level is None or own.level == level):
        default = next((u for u in choices if u.id == own.id), None)
    if default is None and choices:
        default = choices[0]
    if raw in (None, ""):
        return default, None
    try:
        unit_id = int(raw)
    except (TypeError, ValueError):
        unit_id = None
    unit = next((u for u in choices if u.id == unit_id), None)
    if unit is None:
        return default, _("Đơn vị đã chọn không thuộc địa bàn được xem; đang hiển thị %(unit)s.",
                          unit=default.name if default else "—")
    return unit, None


def names_a_unit(raw) -> bool:
    """Whether `raw` is the id of an existing unit (in the scope or not)."""
    try:
        unit_id = int(raw)
    except (TypeError, ValueError):
        return False
    return -2**31 < unit_id < 2**31 and db.session.get(AdminUnit, unit_id) is not None


# Period and growth ----------------------------------------------------------------------------

def _date(raw) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            value = datetime.strptime((raw or "").strip(), fmt).date()
        except ValueError:
            continue
        return value if 2000 <= value.year <= 2100 else None
    return None


def period(raw_start, raw_end) -> tuple[date, date, str | None]:
    """From–to dates (dd/mm/yyyy), both included; default the current year up to today."""
    today = clock.today()
    default = (date(today.year, 1, 1), today)
    if raw_start in (None, "") and raw_end in (None, ""):
        return *default, None
    start = _date(raw_start) if raw_start not in (None, "") else default[0]
    end = _date(raw_end) if raw_end not in (None, "") else default[1]
    if start is None or end is None or start > end or (end - start).days > MAX_PERIOD_DAYS:
        return *default, _("Khoảng thời gian không hợp lệ (nhập ngày dd/mm/yyyy, từ ngày không "
                           "sau đến ngày, tối đa 10 năm); đang hiển thị từ đầu năm đến nay.")
    return start, end, None


def growth(raw) -> tuple[int, str | None]:
    """The expected growth of households, in basis points ("0,7" → 70)."""
    if raw in (None, ""):
        return DEFAULT_GROWTH_BP, None
    try:
        value = Decimal(str(raw).strip().replace(",", ".")[:10]) * 100
        if value.is_finite() and value == value.to_integral_value() and 0 <= value <= MAX_GROWTH_BP:
            return int(value), None
    except (InvalidOperation, ValueError, OverflowError):
        pass
    return DEFAULT_GROWTH_BP, _("Mức tăng số hộ “%(raw)s” không hợp lệ (0 đến 10, tối đa hai chữ số "
                                "thập phân); đang dùng %(value)s %%.",
                                raw=_short(raw), value=format_bp(DEFAULT_GROWTH_BP))

