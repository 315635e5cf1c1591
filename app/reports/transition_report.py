"""Transitions of a year per commune (thoát nghèo, tái nghèo, nghèo phát sinh, …) as a report
table: the rows of the transitions overview (app.reviews.overview, the same scoped GROUP BY),
laid out for the page and the workbook."""
from flask_babel import gettext as _

from app.core.excel import Column, Group
from app.reports.common import Table, numbered
from app.reviews import overview
from app.reviews.labels import TRANSITION_LABELS
from app.reviews.rules import TRANSITIONS


def transitions_tables(year: int) -> list[Table]:
    rows, totals = overview.overview(year)
    columns = [Column(_("TT"), "int", 5), Column(_("Xã/phường"), "text", 24)]
    columns += [Column(_(TRANSITION_LABELS[t]), "int", 11) for t in TRANSITIONS]
    columns += [Column(_("≥ %(n)s năm", n=n), "int", 9) for n in overview.STILL_POOR_YEARS]
    groups = [[Group(None), Group(None),
               Group(_("Biến động năm %(year)s (số hộ)", year=year), len(TRANSITIONS)),
               Group(_("Hộ nghèo liên tục"), len(overview.STILL_POOR_YEARS))]]

    def values(row):
        return [*[row.transitions[t] for t in TRANSITIONS],
                *[row.still_poor[n] for n in overview.STILL_POOR_YEARS]]

    body = numbered([[row.commune.name, *values(row)] for row in rows])
    notes = [_("Số hộ có kết quả rà soát năm %(year)s đã được quyết định, theo loại biến động so "
               "với lần quyết định trước.", year=year),
             _("“Hộ nghèo liên tục ≥ N năm”: hộ đang là hộ nghèo và nghèo không gián đoạn từ năm "
               "%(year)s − N + 1 trở về trước.", year=year)]
    title = _("BIẾN ĐỘNG HỘ NGHÈO, HỘ CẬN NGHÈO NĂM %(year)s", year=year)
    return [Table("transitions", title, columns, body, ["", _("Tổng cộng"), *values(totals)],
                  groups, notes, sheet_name=_("Biến động %(year)s", year=year))]
