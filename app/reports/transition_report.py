"""Transitions of a year as report tables, one per list (poor, near-poor): per child unit of
the chosen unit, start of year, every inflow, every outflow, end of year (app.reviews.transitions
computes them; start + in − out = end in every row), and for the poor list the households
poor without a break for N years."""
from flask_babel import gettext as _

from app.core.excel import Column, Group
from app.core.units import AdminUnit
from app.reports.common import Table, child_units, numbered
from app.reviews import rules
from app.reviews import transitions as t


def columns_of(kind: str) -> tuple[list[Column], list[list[Group]]]:
    """The columns of a list's table and the group headings above them."""
    labels = t.FLOW_LABELS[kind]
    columns = [Column(_("TT"), "int", 5), Column(_("Đơn vị"), "text", 24),
               Column(_("Đầu năm"), "int", 10)]
    columns += [Column(_(labels[f]), "int", 11) for f in t.INFLOWS]
    columns += [Column(_(labels[f]), "int", 11) for f in t.OUTFLOWS]
    columns.append(Column(_("Cuối năm"), "int", 10))
    groups = [Group(None), Group(None), Group(None),
              Group(_("Tăng trong năm (số hộ)"), len(t.INFLOWS)),
              Group(_("Giảm trong năm (số hộ)"), len(t.OUTFLOWS)), Group(None)]
    if kind == rules.POOR:
        columns += [Column(_("≥ %(n)s năm", n=n), "int", 9) for n in t.STILL_POOR_YEARS]
        groups.append(Group(_("Trong đó: nghèo liên tục"), len(t.STILL_POOR_YEARS)))
    return columns, [groups]


def _values(kind: str, flows: t.Flows, still_poor: dict[int, int]) -> list[int]:
    values = [flows.start, *[flows.inflows[f] for f in t.INFLOWS],
              *[flows.outflows[f] for f in t.OUTFLOWS], flows.end]
    if kind == rules.POOR:
        values += [still_poor.get(n, 0) for n in t.STILL_POOR_YEARS]
    return values


def transitions_tables(unit: AdminUnit | None, year: int, user=None) -> list[Table]:
    result = t.compute(unit, year, user)
    children = child_units(unit, result.groups())
    tables = []
    for kind in t.LISTS:
        columns, groups = columns_of(kind)
        rows, total = [], t.Flows()
        poor_total = dict.fromkeys(t.STILL_POOR_YEARS, 0)
        for child in children:
            flows = result.flows[kind].get(child.id, t.Flows())
            still = result.still_poor.get(child.id, {})
            total.add(flows)
            for n in t.STILL_POOR_YEARS:
                poor_total[n] += still.get(n, 0)
            rows.append([child.name, *_values(kind, flows, still)])
        notes = [_("Cuối năm = Đầu năm + Tăng − Giảm. Mỗi hộ được tính theo quyết định công nhận "
                   "mới nhất đến hết năm (kết quả rà soát năm %(year)s đã được UBND cấp xã quyết "
                   "định); hộ đã xóa khỏi hệ thống được tính “chuyển đi, giải thể” trong năm xóa.",
                   year=year),
                 _("“Đầu kỳ theo dữ liệu ban đầu”: hộ có trong danh sách năm đầu tiên xã/phường "
                   "có dữ liệu trên hệ thống, không phải hộ phát sinh. “Do thay đổi chuẩn”: hộ "
                   "thay đổi phân loại khi quyết định năm nay theo chuẩn nghèo khác năm trước."),
                 _("Hộ chuyển giữa các đơn vị trong cùng địa bàn được tính “chuyển đi” ở đơn vị cũ "
                   "và “chuyển đến” ở đơn vị mới.")]
        if kind == rules.POOR:
            notes.append(_("Số hộ thoát nghèo trong năm = “Thoát nghèo” + “Chuyển sang hộ cận "
                           "nghèo”. “Nghèo liên tục ≥ N năm”: hộ nghèo cuối năm %(year)s, nghèo "
                           "không gián đoạn theo các quyết định từ năm %(year)s − N + 1.",
                           year=year))
        title = _("BIẾN ĐỘNG %(list)s NĂM %(year)s", list=_(t.LIST_LABELS[kind]).upper(),
                  year=year)
        totals = ["", _("Tổng cộng"), *_values(kind, total, poor_total)]
        tables.append(Table(f"transitions-{kind.replace('_', '-')}", title, columns,
                            numbered(rows), totals, groups, notes,
                            sheet_name=f"{_(t.LIST_LABELS[kind])} {year}"))
    return tables
