"""Excel/CSV import for commune officers: upload → map columns → check (preview) → commit or
dry run. Thin views: the steps live in batches (upload, mapping), jobs (running, progress) and
services/writer (check, match, write)."""
from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl.utils import get_column_letter

from app.core.excel import file_response, xlsx_response
from app.core.guards import require_roles
from app.core.htmx import render, saved
from app.core.i18n import N_
from app.core.params import to_int
from app.core.scoping import unit_in_scope_or_none, units_in_scope
from app.core.units import COMMUNE, HAMLET
from app.core.users import Role
from app.extensions import db
from app.imports import batches, jobs
from app.imports import error_file as error_file_module
from app.imports.context import Options
from app.imports.forms import CheckForm, CommitForm, UploadForm
from app.imports.mapping import GROUP_LABELS
from app.imports.reader import Refused
from app.imports.template import template_sheets

bp = Blueprint("imports", __name__, url_prefix="/imports")
require_roles(bp, Role.COMMUNE)

PAGES = "imports/"
STATE_LABELS = {jobs.UPLOADED: N_("Đã tải lên"), jobs.CHECKING: N_("Đang kiểm tra"),
                jobs.PREVIEWED: N_("Đã kiểm tra"), jobs.COMMITTING: N_("Đang nhập"),
                jobs.COMMITTED: N_("Đã nhập"), jobs.FAILED: N_("Không đọc được")}
PHASE_LABELS = {"read": N_("Đang đọc và kiểm tra tệp…"), "write": N_("Đang ghi vào hệ thống…")}


def _own_commune():
    unit = current_user.unit
    if unit is None or unit.level != COMMUNE or not unit.is_active:
        abort(403)
    return unit


def _batch_or_404(batch_id):
    batch = batches.batch_in_scope(batch_id, current_user)
    if batch is None:
        abort(404)
    return batch


def _hamlets():
    return db.session.scalars(units_in_scope(HAMLET)).all()


def _refusal(exc: Refused) -> str:
    return _(exc.message, **exc.args_)


# Upload ------------------------------------------------------------------------------------

def _index(form=None, error=None, status=200):
    commune = _own_commune()
    return render(PAGES + "index.html", PAGES + "index.html", status, form=form or UploadForm(),
                  error=error, batches=batches.recent(commune.id),
                  mappings=batches.saved_mappings(commune.id), state_labels=STATE_LABELS)


@bp.get("/")
def index():
    return _index()


@bp.post("/")
def upload():
    commune = _own_commune()
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            batch = batches.upload(data, form.file.data.filename or "", current_user, commune,
                                   current_app.config)
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            error = _refusal(exc)
        else:
            return redirect(url_for(".batch", batch_id=batch.id), code=303)
    return _index(form, error, 422)


@bp.get("/template.xlsx")
def template():
    commune = _own_commune()
    hamlets = _hamlets()
    return xlsx_response(template_sheets(hamlets[0].name if hamlets else None, commune.code),
                         "mau-nhap-danh-sach-ho.xlsx")


# One batch: the step it is at ------------------------------------------------------------------

def _step(batch, form=None, errors=(), show_mapping=False, sheet=None, status=200):
    ctx = dict(batch=batch, stats=batch.stats or {}, state_labels=STATE_LABELS,
               phase_labels=PHASE_LABELS, errors=list(errors))
    all_fields = batches.fields()
    ctx["field_labels"] = {f.name: f.label for f in all_fields}
    if batch.state in jobs.RUNNING and jobs.is_running(batch):
        ctx.update(step="progress", progress=jobs.read_progress(batch))
    elif batch.state == jobs.COMMITTED:
        ctx["step"] = "result"
    elif batch.state == jobs.PREVIEWED and not show_mapping:
        ctx.update(step="preview", **_preview_context(batch))
    else:
        ctx.update(step="mapping", **_mapping_context(batch, all_fields, form, sheet))
    return render(PAGES + "batch.html", PAGES + "_step.html", status, **ctx)


def _preview_context(batch):
    stats = batch.stats or {}
    headings = (stats.get("header") or {}).get("headings", [])
    columns = {}
    for col, name in (stats.get("mapping") or {}).items():
        col = int(col)
        columns[name] = (get_column_letter(col + 1), headings[col] if col < len(headings) else "")
    return {"result": stats.get("result") or {}, "columns": columns, "commit_form": CommitForm()}


def _mapping_context(batch, all_fields, form, sheet):
    options = jobs.options_of(batch)
    # The indicators of the chosen year's standard only: the year posted, or asked for when the
    # officer changes it on the page (the page comes back with its choices kept), else stored.
    source = request.form if request.method == "POST" else request.args
    year = to_int(source.get("year"), None, 2000, 2100)
    all_fields = batches.fields(year or options.year)
    if form is None and "year" in request.args:
        form = CheckForm(formdata=request.args)
    sheet = options.sheet if sheet is None else sheet
    ctx = {"sheet": sheet, "groups": GROUP_LABELS, "fields": all_fields, "header": None}
    if form is None:
        form = CheckForm(formdata=None, sheet=sheet, year=options.year,
                         review_date=options.review_date, decision_number=options.decision_number,
                         decision_date=options.decision_date,
                         hamlet_id=str(options.hamlet_id or ""))
    form.hamlet_id.choices = [("", _("— Không —"))] + [(str(h.id), h.name) for h in _hamlets()]
    ctx["form"] = form
    try:
        table = jobs.open_batch_table(batch)
    except Refused as exc:
        ctx["read_error"] = _refusal(exc)
        return ctx
    sheet = min(max(sheet, 0), len(table.sheet_names) - 1)
    header, _rows = batches.header_of(table, sheet, all_fields)
    ctx.update(sheet=sheet, sheets=table.sheet_names, header=header)
    if header is None:
        ctx["read_error"] = _("Không tìm thấy dòng tiêu đề cột trong trang tính này.")
        return ctx
    chosen, saved = batches.current_mapping(batch, header, all_fields, sheet)
    if request.method == "POST" or "year" in request.args:
        chosen = {col: source.get(f"col_{col}", "") for col in range(len(header.headings))}
    ctx.update(chosen=chosen, saved=saved, samples=batches.samples(table, sheet, header),
               letters=[get_column_letter(i + 1) for i in range(len(header.headings))])
    return ctx


@bp.get("/<int:batch_id>")
def batch(batch_id):
    batch = _batch_or_404(batch_id)
    sheet = request.args.get("sheet")
    return _step(batch, show_mapping=request.args.get("step") == "map",
                 sheet=None if sheet is None else to_int(sheet, 0))


@bp.get("/<int:batch_id>/errors.xlsx")
def error_file(batch_id):
    """The checked file with a column "Lỗi": each row's problems, to fix in Excel."""
    batch = _batch_or_404(batch_id)
    stats = batch.stats or {}
    result = stats.get("result") or {}
    if batch.state != jobs.PREVIEWED or not result.get("issues"):
        abort(404)
    try:
        table = jobs.open_batch_table(batch)
    except Refused:
        abort(410)
    sheet = jobs.options_of(batch).sheet
    sheet = min(max(sheet, 0), len(table.sheet_names) - 1)
    by_row = error_file_module.messages_by_row(result, _preview_context(batch)["columns"])
    width = max((len(values) for _, values in table.rows(sheet)), default=0)
    header_rows = (stats.get("header") or {}).get("rows") or []
    out = error_file_module.error_workbook(table.rows(sheet), header_rows, width, by_row,
                                           table.sheet_names[sheet])
    name = (batch.filename or "danh-sach").rsplit(".", 1)[0]
    return file_response(out, f"{name} - lỗi.xlsx")


@bp.get("/<int:batch_id>/progress")
def progress(batch_id):
    return _step(_batch_or_404(batch_id))


def _after_start(batch):
    def step():
        db.session.refresh(batch)
        return _step(batch)
    return saved(step, None, url_for(".batch", batch_id=batch.id))


@bp.post("/<int:batch_id>/check")
def check(batch_id):
    batch = _batch_or_404(batch_id)
    _own_commune()
    if batch.state == jobs.COMMITTED or jobs.is_running(batch):
        return _step(batch, errors=[_("Tệp này đang được xử lý hoặc đã nhập xong.")], status=409)
    form = CheckForm()
    form.hamlet_id.choices = [("", "")] + [(str(h.id), h.name) for h in _hamlets()]
    all_fields = batches.fields()
    known = {f.name: f.label for f in all_fields}
    errors = []
    try:
        table = jobs.open_batch_table(batch)
    except Refused as exc:
        return _step(batch, form, [_refusal(exc)], show_mapping=True, status=422)
    sheet = min(max(form.sheet.data or 0, 0), len(table.sheet_names) - 1)
    header, _rows = batches.header_of(table, sheet, all_fields)
    if header is None:
        return _step(batch, form, [_("Không tìm thấy dòng tiêu đề cột trong trang tính này.")],
                     show_mapping=True, sheet=sheet, status=422)
    chosen = {}
    for col in range(len(header.headings)):
        name = request.form.get(f"col_{col}", "")
        if not name:
            continue
        if name not in known:
            errors.append(_("Cột %(col)s: trường không hợp lệ.", col=get_column_letter(col + 1)))
        elif name in chosen.values():
            errors.append(_("“%(field)s” được chọn cho nhiều cột; mỗi trường chỉ một cột.",
                            field=_(known[name])))
        else:
            chosen[col] = name
    if not {"full_name", "head_name"} & set(chosen.values()):
        errors.append(_("Cần ghép một cột với “Họ và tên” hoặc “Họ tên chủ hộ”."))
    hamlet = None
    if form.hamlet_id.data:
        hamlet = unit_in_scope_or_none(form.hamlet_id.data, HAMLET)
        if hamlet is None:
            abort(404)
    if not form.validate() or errors:
        return _step(batch, form, errors, show_mapping=True, sheet=sheet, status=422)
    options = Options(year=form.year.data, review_date=form.review_date.data,
                      decision_number=(form.decision_number.data or "").strip() or None,
                      decision_date=form.decision_date.data,
                      hamlet_id=hamlet.id if hamlet else None, sheet=sheet)
    if (form.mapping_name.data or "").strip():
        batches.save_mapping(batch.commune_id, form.mapping_name.data, header, chosen, current_user)
    jobs.set_stats(batch, header=batches.header_json(header),
                   mapping={str(c): f for c, f in chosen.items()}, options=jobs.options_json(options),
                   rows_estimate=table.estimate_rows(sheet), result=None, error=None,
                   dry_run_ok=False)
    db.session.commit()
    if not jobs.start(batch, current_user, jobs.CHECK, request.remote_addr):
        return _step(batch, errors=[_("Tệp này đang được xử lý hoặc đã nhập xong.")], status=409)
    return _after_start(batch)


@bp.post("/<int:batch_id>/commit")
def commit(batch_id):
    batch = _batch_or_404(batch_id)
    _own_commune()
    form = CommitForm()
    if not form.validate_on_submit():
        abort(400)
    result = (batch.stats or {}).get("result") or {}
    if batch.state != jobs.PREVIEWED or result.get("errors"):
        return _step(batch, errors=[_("Chỉ nhập được tệp đã kiểm tra và không còn lỗi.")],
                     show_mapping=batch.state != jobs.PREVIEWED, status=409)
    action = jobs.DRY_RUN if form.dry_run.data else jobs.COMMIT
    if not jobs.start(batch, current_user, action, request.remote_addr):
        return _step(batch, errors=[_("Tệp này đang được xử lý hoặc đã nhập xong.")], status=409)
    return _after_start(batch)
