"""Report pages and their workbooks, and the Excel export of the household list.

GET /reports/                   every report
GET /reports/<slug>             the report as a printable page (selectors in the query string)
GET /reports/<slug>.xlsx        the same tables as a workbook (same query string)
GET /reports/households.xlsx    the household list with the list page's query string
Thin views: validated selectors → scoped queries (app.reports.*) → page or workbook."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from app.core import audit
from app.core.excel import xlsx_response
from app.core.guards import require_roles
from app.core.htmx import render
from app.core.users import Role
from app.extensions import db
from app.households.queries import ListParams
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
    params = ListParams.from_args(request.args)
    audit.record("export", "household", None,
                 after={"filters": params.query_args(page=None), "format": "xlsx"})
    db.session.commit()
    unit = current_user.unit
    return xlsx_response([export_sheet(params, current_user)],
                         f"danh-sach-ho-{unit.code if unit else 'trong-dia-ban'}.xlsx")
