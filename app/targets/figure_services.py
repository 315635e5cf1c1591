"""Writes of yearly figures: the total households an officer enters for a unit and year, the
households a unit expects in the next plan year, and the officer's "chốt số liệu năm". Who
may write is the targets' rule (the officer of the unit above: services.settable_unit); a
frozen year refuses changes. Audited; the caller commits."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit, clock
from app.core.clock import today
from app.core.units import COMMUNE, AdminUnit
from app.core.users import Role
from app.extensions import db
from app.targets import figures
from app.targets.figure_models import HouseholdProjection, HouseholdTotal, YearFigure
from app.targets.services import ancestry

MAX_HOUSEHOLDS = 10_000_000          # a province has ~300.000 households; the country 27 million
MAX_GROWTH_BP = 5_000                # ± 50 %


class FigureError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def frozen_for(unit: AdminUnit, year: int) -> YearFigure | None:
    """The frozen figures that cover `unit` in `year` (its own, or its commune's)."""
    commune_id = unit.lineage().get(COMMUNE)
    ids = {unit.id} | ({commune_id} if commune_id else set())
    return db.session.scalar(select(YearFigure).where(YearFigure.unit_id.in_(ids),
                                                      YearFigure.year == year).limit(1))


def _one(model, unit, year):
    return db.session.scalar(select(model).where(model.unit_id == unit.id, model.year == year))


def entered(unit: AdminUnit, year: int):
    """(the entered total of `year`, the projection of `year` + 1) of `unit`."""
    return _one(HouseholdTotal, unit, year), _one(HouseholdProjection, unit, year + 1)


def save(unit: AdminUnit, year: int, households: int | None, projection: tuple[int | None, int | None],
         note: str, user) -> None:
    """Set or clear the entered total of `unit` for review year `year`, and its projection for
    plan year `year` + 1 (`projection`: (households, growth_bp), both None to clear)."""
    total, planned = entered(unit, year)
    if households is not None:
        if not 0 <= households <= MAX_HOUSEHOLDS:
            raise FigureError("households", _("Tổng số hộ phải từ 0 đến %(max)s.", max="10.000.000"))
        listed = figures.year_figures(unit, year, user).of(unit.id)
        on_lists = listed["poor"] + listed["near_poor"]
        if households < on_lists:
            raise FigureError("households", _(
                "Tổng số hộ (%(n)s) ít hơn số hộ nghèo và cận nghèo của đơn vị năm %(year)s "
                "(%(lists)s).", n=households, year=year, lists=on_lists))
    current = total.households if total else None
    if households != current:
        if frozen_for(unit, year) is not None:
            raise FigureError("households", _("Số liệu năm %(year)s đã chốt: không sửa được tổng số "
                                              "hộ.", year=year))
        before = {"households": current, "note": total.note} if total else None
        if households is None:
            db.session.delete(total)
            audit.record("delete", "household_total", total.id, before, None)
        else:
            if total is None:
                total = HouseholdTotal(year=year, households=households, **ancestry(unit))
                db.session.add(total)
            total.households, total.note = households, note
            total.entered_by_id, total.updated_at = getattr(user, "id", None), clock.utcnow()
            db.session.flush()
            audit.record("update" if before else "create", "household_total", total.id, before,
                         {"households": households, "note": note, "unit_id": unit.id, "year": year})
    count, growth_bp = projection
    if growth_bp is not None and abs(growth_bp) > MAX_GROWTH_BP:
        raise FigureError("projected", _("Mức tăng số hộ phải trong khoảng −50 % đến 50 %."))
    if count is not None and not 0 <= count <= MAX_HOUSEHOLDS:
        raise FigureError("projected", _("Số hộ dự kiến phải từ 0 đến %(max)s.", max="10.000.000"))
    old = (planned.households, planned.growth_bp) if planned else (None, None)
    if (count, growth_bp) != old:
        before = {"households": old[0], "growth_bp": old[1]} if planned else None
        if count is None and growth_bp is None:
            db.session.delete(planned)
            audit.record("delete", "household_projection", planned.id, before, None)
        else:
            if planned is None:
                planned = HouseholdProjection(year=year + 1, **ancestry(unit))
                db.session.add(planned)
            planned.households, planned.growth_bp = count, growth_bp
            planned.set_by_id, planned.updated_at = getattr(user, "id", None), clock.utcnow()
            db.session.flush()
            audit.record("update" if before else "create", "household_projection", planned.id,
                         before, {"households": count, "growth_bp": growth_bp,
                                  "unit_id": unit.id, "year": year + 1})


def can_freeze(user, unit: AdminUnit) -> bool:
    """The commune officer freezes the figures of their own commune."""
    return (user is not None and user.is_authenticated and user.role == Role.COMMUNE
            and user.unit is not None and user.unit.id == unit.id and unit.level == COMMUNE)


def freeze(commune: AdminUnit, year: int, user) -> YearFigure:
    """The officer's "chốt số liệu năm": a year that is over and frozen only once."""
    if year > today().year:
        raise FigureError("year", _("Không chốt số liệu của năm chưa đến (%(year)s).", year=year))
    if figures.frozen_row(commune, year) is not None:
        raise FigureError("year", _("Số liệu năm %(year)s đã được chốt.", year=year))
    return figures.freeze_year(commune, year, user)


def _many(model, ids, year):
    if not ids:
        return {}
    return {row.unit_id: row for row in db.session.scalars(
        select(model).where(model.unit_id.in_(ids), model.year == year))}


def entered_many(unit_ids, year: int) -> dict[int, HouseholdTotal]:
    """unit id → entered total of `year` (ids already in the reader's scope)."""
    return _many(HouseholdTotal, unit_ids, year)


def projections_many(unit_ids, year: int) -> dict[int, HouseholdProjection]:
    return _many(HouseholdProjection, unit_ids, year)
