"""Supports delivered in a period: by support type × funding source, and per child unit, with
their values in VND. The ledger is append-only: a reversal is a negative entry dated like the
entry it reverses, so summing value_vnd nets it out, and it counts −1 in the number of
supports. Rejected entries never count (the supports ledger's own rule: verified and pending
ones do)."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.core.excel import Column, Group
from app.core.lookups import Lookup
from app.core.scoping import scoped
from app.core.units import AdminUnit
from app.extensions import db
from app.reports.common import Table, child_columns, child_of, child_units, in_unit, numbered
from app.supports.models import FundingSource, Support

COUNTED = Support.verification != "rejected"
# +1 for a support, −1 for the reversal of one.
NET_COUNT = func.sum(case((Support.reverses_id.is_(None), 1), else_=-1))


def _in_period(stmt, unit: AdminUnit, start: date, end: date, user):
    return scoped(stmt.where(in_unit(Support, unit), COUNTED, Support.delivered_on >= start,
                             Support.delivered_on <= end), Support, user)


def by_type_and_source(unit: AdminUnit, start: date, end: date, user=None):
    """(type code, source code) → (net number of supports, net value)."""
    stmt = _in_period(select(Support.type_code, Support.funding_source_code, NET_COUNT,
                             func.sum(Support.value_vnd)), unit, start, end, user) \
        .group_by(Support.type_code, Support.funding_source_code)
    return {(t, s): (int(n or 0), int(v or 0)) for t, s, n, v in db.session.execute(stmt)}


def by_child_and_source(unit: AdminUnit, start: date, end: date, user=None):
    """(child id, source code) → (net number of supports, net value)."""
    keys = child_columns(Support, unit)
    stmt = _in_period(select(*keys, Support.funding_source_code, NET_COUNT,
                             func.sum(Support.value_vnd)), unit, start, end, user) \
        .group_by(*keys, Support.funding_source_code)
    out: dict[tuple[int, str], tuple[int, int]] = {}
    for *ids, source, n, value in db.session.execute(stmt):
        key = (child_of(ids), source)
        old = out.get(key, (0, 0))
        out[key] = (old[0] + int(n or 0), old[1] + int(value or 0))
    return out


def _sources(codes) -> list[tuple[str, str]]:
    """The funding sources that occur, in their configured order (all active ones if none)."""
    rows = db.session.execute(select(FundingSource.code, FundingSource.label, FundingSource.is_active)
                              .order_by(FundingSource.sort_order, FundingSource.code)).all()
    used = set(codes)
    return [(c, label) for c, label, active in rows if c in used or (not used and active)]


def _types(codes) -> list[tuple[str, str]]:
    """Support types that occur, grouped like the lookup (group order, then type order)."""
    groups = dict(db.session.execute(select(Lookup.code, Lookup.sort_order)
                                     .where(Lookup.kind == "support_group")).all())
    rows = db.session.execute(select(Lookup.code, Lookup.label, Lookup.parent_code, Lookup.sort_order)
                              .where(Lookup.kind == "support_type")).all()
    known = {code: (groups.get(parent, 999), order, label) for code, label, parent, order in rows}
    used = sorted(set(codes), key=lambda c: known.get(c, (999, 999, c)))
    return [(c, known[c][2] if c in known else c) for c in used]


def supports_tables(unit: AdminUnit | None, start: date, end: date, user=None) -> list[Table]:
    by_type = by_type_and_source(unit, start, end, user) if unit else {}
    by_child = by_child_and_source(unit, start, end, user) if unit else {}
    sources = _sources([s for _t, s in by_type])
    types = _types([t for t, _s in by_type])
    value_columns = [Column(label, "vnd", 14) for _code, label in sources]

    def line(label, cells: dict[str, tuple[int, int]]):
        values = [cells.get(code, (0, 0))[1] for code, _label in sources]
        return [label, sum(n for n, _v in cells.values()), *values, sum(values)]

    def total_line(rows):
        return ["", _("Tổng cộng"), *[sum(r[c] for r in rows) for c in range(2, 4 + len(sources))]]

    groups = [[Group(None), Group(None), Group(None),
               Group(_("Giá trị theo nguồn kinh phí (đồng)"), len(sources)), Group(None)]]
    notes = [_("Số lượt và giá trị đã trừ các bút toán điều chỉnh (đảo bút toán); không tính các "
               "khoản hỗ trợ bị từ chối xác minh. Giá trị tính bằng đồng.")]

    type_rows = numbered([line(label, {s: v for (t, s), v in by_type.items() if t == code})
                          for code, label in types])
    children = child_units(unit, {c for c, _s in by_child})
    child_rows = numbered([line(c.name, {s: v for (cid, s), v in by_child.items() if cid == c.id})
                           for c in children])
    first = [Column(_("TT"), "int", 5), Column(_("Loại hỗ trợ"), "text", 30),
             Column(_("Số lượt"), "int", 9), *value_columns, Column(_("Tổng giá trị"), "vnd", 16)]
    second = [Column(_("TT"), "int", 5), Column(_("Đơn vị"), "text", 24),
              Column(_("Số lượt"), "int", 9), *value_columns, Column(_("Tổng giá trị"), "vnd", 16)]
    return [
        Table("supports-by-type", _("KẾT QUẢ HỖ TRỢ THEO LOẠI HỖ TRỢ VÀ NGUỒN KINH PHÍ"), first,
              type_rows, total_line(type_rows), groups, notes, sheet_name=_("Theo loại hỗ trợ")),
        Table("supports-by-unit", _("KẾT QUẢ HỖ TRỢ THEO ĐƠN VỊ VÀ NGUỒN KINH PHÍ"), second,
              child_rows, total_line(child_rows), groups, notes, sheet_name=_("Theo đơn vị")),
    ]
