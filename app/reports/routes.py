"""Report pages and their workbooks, and the Excel export of the household list.

GET /reports/                   every report
GET /reports/<slug>             the report as a printable page (selectors in the query string)
GET /reports/<slug>.xlsx        the same tables as a workbook (same query string)
GET /reports/households.xlsx    the household list with the list page's query string
Thin views: validated selectors → scoped queries (app.reports.*) → page or workbook."""
from flask import Blueprint, abort, request, url_for
from flask_login import current_user

from app.core import audit
from app.core.excel import xlsx_response
from app.core.guards import require_roles
from app.core.htmx import render
from app.core.users import Role
from app.extensions import db
from app.households.queries import ListParams
from app.reports import figures_check as fc
from app.reports import params as report_params
from app.reports import registry
from app.reports.arithmetic import format_rate
from app.reports.household_export import export_sheet

bp = Blueprint("reports", __name__, url_prefix="/reports")
require_roles(bp, Role.COMMUNE, Role.DISTRICT, Role.MASS_ORG)


@bp.get("/")
def index():
    return render("reports/index.html", "reports/index.html", reports=registry.REPORTS)


def _page(spec: registry.Spec):
    resolved = registry.resolve(spec, request.args, current_user)
    report = registry.build(spec, resolved, current_user)
    ctx = dict(spec=spec, report=report, params=resolved.params, years=resolved.years,
               units=resolved.units, selectors=spec.selectors, format_rate=format_rate,
               xlsx_url=url_for(f".{spec.endpoint}_xlsx", **resolved.params.query_args()))
    if request.headers.get("HX-Target") == "report-body":
        return render("reports/report.html", "reports/_report_body.html", **ctx)
    return render("reports/report.html", "reports/report.html", **ctx)


def _workbook(spec: registry.Spec):
    resolved = registry.resolve(spec, request.args, current_user)
    report = registry.build(spec, resolved, current_user)
    return xlsx_response(report.sheets(), report.filename)


for _spec in registry.REPORTS:
    bp.add_url_rule(f"/{_spec.slug}", _spec.endpoint, lambda spec=_spec: _page(spec),
                    methods=["GET"])
    bp.add_url_rule(f"/{_spec.slug}.xlsx", f"{_spec.endpoint}_xlsx",
                    lambda spec=_spec: _workbook(spec), methods=["GET"])


@bp.get("/households.xlsx")
def households_xlsx():
    """The household list with the current filters (the /households/ query string)."""
    params = ListParams.from_args(request.args, current_user)   # the role's filters only
    audit.record("export", "household", None,
                 after={"filters": params.query_args(page=None), "format": "xlsx"})
    db.session.commit()
    unit = current_user.unit
    return xlsx_response([export_sheet(params, current_user)],
                         f"danh-sach-ho-{unit.code if unit else 'trong-dia-ban'}.xlsx")


@bp.route("/figures-check", methods=["GET", "POST"])
def figures_check():
    """Đối chiếu số liệu bảng in: the officer types a printed table of a review year; the page
    lists where it differs from the app's figures and where it does not add up."""
    args = request.form if request.method == "POST" else request.args
    unit, unit_notice = report_params.report_unit(args.get("unit"), current_user)
    if unit_notice and report_params.names_a_unit(args.get("unit")):
        abort(404)
    year, years, year_notice = report_params.review_year(args.get("year"), current_user)
    ctx = dict(unit=unit, year=year, years=years, units=report_params.unit_choices(current_user),
               fields=fc.FIELDS, labels=fc.LABELS, typed=args, findings=None, errors={},
               notices=[n for n in (unit_notice, year_notice) if n], TOTAL=fc.TOTAL)
    status = 200
    if unit is not None:
        children, app_counts = fc.app_figures(unit, year, current_user)
        ctx["children"] = children
        if request.method == "POST":
            rows, total, errors = fc.read_form(request.form, children)
            if errors or year_notice:
                ctx["errors"], status = errors, 422
            else:
                ctx["findings"] = fc.check(rows, total, app_counts)
    return render("reports/figures_check.html", "reports/_figures_check.html", status, **ctx)
