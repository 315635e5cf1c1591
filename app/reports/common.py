"""What every report shares: grouping scoped rows by the child units of the unit being
reported on, the table model that the page and the workbook both draw, and the report itself.

Scope: every query of a report is `core.scoping.scoped()` for the user AND limited to the
chosen unit (itself taken from the user's scope), so a district officer's report never holds
another district's households, whatever the query string says."""
from dataclasses import dataclass, field

from sqlalchemy import select

from app.core import clock
from app.core.excel import Column, Group, Sheet, header_layout
from app.core.scoping import child_columns, child_of, in_unit, unit_column  # noqa: F401  (re-exported)
from app.core.units import HAMLET, AdminUnit
from app.extensions import db


def child_units(unit: AdminUnit | None, with_data=()) -> list[AdminUnit]:
    """The units directly under `unit` in code order (the official tables' order): the active
    ones, and inactive ones that still hold data (`with_data` ids) so no count goes missing."""
    if unit is None or unit.level == HAMLET:
        return []
    units = db.session.scalars(select(AdminUnit).where(AdminUnit.parent_id == unit.id)
                               .order_by(AdminUnit.code)).all()
    wanted = set(with_data)
    return [u for u in units if u.is_active or u.id in wanted]


@dataclass
class Table:
    """One report table: drawn as HTML on the page and as a sheet of the workbook."""
    key: str                            # html id, and the sheet tab when `sheet_name` is empty
    title: str                          # the table's official title (first heading line)
    columns: list[Column]
    rows: list[list]
    totals: list | None = None
    groups: list[list[Group]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheet_name: str = ""

    @property
    def header(self):
        return header_layout(self.columns, self.groups)

    @property
    def kinds(self) -> list[str]:
        return [c.kind for c in self.columns]


@dataclass
class Report:
    slug: str
    title: str
    unit: AdminUnit | None
    period: str                         # "Năm 2024", "Từ 01/01/2026 đến 25/11/2026"…
    tables: list[Table]
    suffix: str = ""                    # of the file name: the year or the period

    def heading_lines(self, table: Table) -> list[str]:
        from flask_babel import gettext as _
        from app.core.text import format_date
        lines = [table.title]
        if self.unit is not None:
            lines.append(_("Đơn vị: %(unit)s", unit=self.unit.full_name()))
        lines.append(self.period)
        lines.append(_("Số liệu lập ngày %(day)s", day=format_date(clock.today())))
        return lines

    def sheets(self) -> list[Sheet]:
        return [Sheet(t.sheet_name or t.key, self.heading_lines(t), t.columns, t.rows,
                      t.totals, t.notes, t.groups) for t in self.tables]

    @property
    def filename(self) -> str:
        parts = [self.slug, self.unit.code if self.unit is not None else "", self.suffix]
        return "-".join(part for part in parts if part) + ".xlsx"


def numbered(rows: list[list]) -> list[list]:
    """Prefix each row with its number (TT), from 1."""
    return [[i, *row] for i, row in enumerate(rows, start=1)]
