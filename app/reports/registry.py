"""Every report: its stable URL (/reports/<slug> and /reports/<slug>.xlsx), its selectors and
the function that builds its tables. The index page, the routes and the tests read this list."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _

from app.core.i18n import N_
from app.core.text import format_date
from app.core.units import COMMUNE
from app.reports import params as p
from app.reports.common import Report, Table
from app.reports.deprivation import bieu01, merit_categories
from app.reports.plan_tables import hamlet_tables, targets_table
from app.reports.support_report import supports_tables
from app.reports.transition_report import transitions_tables

REVIEW_YEAR, PLAN_YEAR, UNIT, COMMUNE_UNIT, PERIOD, GROWTH = (
    "review_year", "plan_year", "unit", "commune", "period", "growth")


@dataclass(frozen=True)
class Spec:
    slug: str
    title: str                      # N_(): translated where shown
    description: str
    selectors: tuple[str, ...]
    build: Callable[[p.Params, object], list[Table]]
    period: Callable[[p.Params], str]
    foreign_unit_404: bool = False  # a unit outside the scope is a 404, not a fallback

    @property
    def endpoint(self) -> str:
        return self.slug.replace("-", "_")


def _review_year(params: p.Params) -> str:
    return _("Năm rà soát %(year)s", year=params.year)


def _plan_year(params: p.Params) -> str:
    return _("Năm kế hoạch %(year)s (số liệu rà soát đến năm %(before)s)",
             year=params.year, before=params.year - 1)


def _period(params: p.Params) -> str:
    return _("Từ ngày %(start)s đến ngày %(end)s", start=format_date(params.start),
             end=format_date(params.end))


REPORTS = (
    Spec("deprivation", N_("Biểu 01 — Hộ nghèo thiếu hụt theo chỉ số"),
         N_("Số hộ nghèo thiếu hụt từng chỉ số dịch vụ xã hội cơ bản theo đơn vị, cho tất cả hộ "
            "nghèo và cho hộ nghèo có người có công, theo chuẩn nghèo của năm rà soát."),
         (REVIEW_YEAR, UNIT), lambda q, user: bieu01(q.unit, q.year, user), _review_year),
    Spec("merit-categories", N_("Hộ nghèo có người có công theo nhóm đối tượng"),
         N_("Số hộ nghèo có thành viên là người có công với cách mạng, chia theo nhóm a)–m), "
            "theo đơn vị."),
         (REVIEW_YEAR, UNIT), lambda q, user: merit_categories(q.unit, q.year, user), _review_year),
    Spec("targets", N_("Chỉ tiêu phấn đấu giảm tỷ lệ hộ nghèo"),
         N_("Hộ dân, hộ nghèo và khẩu nghèo, tỷ lệ, chia theo chính sách bảo trợ xã hội / giảm "
            "nghèo, số hộ phấn đấu giảm, còn lại, tỷ lệ mới và tỷ lệ giảm theo đơn vị."),
         (PLAN_YEAR, UNIT, GROWTH),
         lambda q, user: targets_table(q.unit, q.year, q.growth_bp, user), _plan_year),
    Spec("hamlet-targets", N_("Phân bổ chỉ tiêu giảm hộ nghèo, cận nghèo theo thôn"),
         N_("Theo từng thôn của một xã: tổng số hộ, hộ nghèo (cận nghèo) sau rà soát, hộ không còn "
            "khả năng lao động, kế hoạch giảm, số hộ cuối kỳ và tỷ lệ."),
         (PLAN_YEAR, COMMUNE_UNIT), lambda q, user: hamlet_tables(q.unit, q.year, user), _plan_year),
    Spec("supports", N_("Kết quả hỗ trợ theo loại và nguồn kinh phí"),
         N_("Số lượt và giá trị (đồng) các khoản hỗ trợ đã trao trong kỳ, theo loại hỗ trợ × "
            "nguồn kinh phí và theo đơn vị; đã trừ các bút toán điều chỉnh."),
         (PERIOD, UNIT), lambda q, user: supports_tables(q.unit, q.start, q.end, user), _period),
    Spec("transitions", N_("Biến động hộ nghèo, cận nghèo"),
         N_("Theo danh sách hộ nghèo và hộ cận nghèo: đầu năm, tăng (phát sinh, tái, chuyển "
            "sang, chuyển đến, thay đổi chuẩn), giảm (thoát, chuyển sang, chuyển đi), cuối năm "
            "theo đơn vị; và số hộ nghèo liên tục nhiều năm."),
         (REVIEW_YEAR, UNIT), lambda q, user: transitions_tables(q.unit, q.year, user),
         _review_year, foreign_unit_404=True),
)
BY_SLUG = {spec.slug: spec for spec in REPORTS}


@dataclass
class Resolved:
    params: p.Params
    years: list[int]
    units: list


def resolve(spec: Spec, args, user) -> Resolved:
    """The report's selectors from the query string, each validated (bad → default + notice)."""
    params, years, units = p.Params(), [], []
    notices = []
    if REVIEW_YEAR in spec.selectors:
        params.year, years, notice = p.review_year(args.get("year"), user)
        notices.append(notice)
    if PLAN_YEAR in spec.selectors:
        params.year, years, notice = p.plan_year(args.get("year"), user)
        notices.append(notice)
    if UNIT in spec.selectors or COMMUNE_UNIT in spec.selectors:
        level = COMMUNE if COMMUNE_UNIT in spec.selectors else None
        params.unit, notice = p.report_unit(args.get("unit"), user, level)
        units = p.unit_choices(user, level)
        if notice and spec.foreign_unit_404 and p.names_a_unit(args.get("unit")):
            abort(404)
        notices.append(notice)
    if PERIOD in spec.selectors:
        params.start, params.end, notice = p.period(args.get("from"), args.get("to"))
        notices.append(notice)
    if GROWTH in spec.selectors:
        params.growth_bp, notice = p.growth(args.get("growth"))
        notices.append(notice)
    params.refused = [n for n in notices if n]
    return Resolved(params, years, units)


def build(spec: Spec, resolved: Resolved, user) -> Report:
    params = resolved.params
    unit = params.unit if params.unit is not None else getattr(user, "unit", None)
    suffix = (str(params.year) if params.year else
              f"{params.start:%Y%m%d}-{params.end:%Y%m%d}" if params.start else "")
    return Report(spec.slug, _(spec.title), unit, spec.period(params), spec.build(params, user),
                  suffix)
