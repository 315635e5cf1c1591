"""The steps before a check: upload (refused files leave no trace), the header of a sheet, the
mapping in effect (chosen, saved for these headings, or suggested) and saving it by name."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import audit, clock
from app.core.i18n import N_
from app.core.scoping import units_in_scope
from app.core.text import clean
from app.core.units import COMMUNE, AdminUnit
from app.extensions import db
from app.imports import jobs, mapping
from app.imports.models import ImportBatch, ImportMapping
from app.imports.reader import Limits, Refused
from app.imports.tables import open_table
from app.reviews import rules
from app.reviews.models import PovertyStandard

SAMPLE_ROWS = 12
# A heading is a few words. The header scan reads each cell cut to this length: every cell of
# the first rows may be the same 32,767-character shared string (a 30 KB file), and matching
# headings costs about a microsecond per character and cell (14 s for 32 rows × 14 columns).
HEADING_CHARS = 200


def fields(year: int | None = None):
    """The importable fields; with the review `year`, the indicators of its standard only."""
    standards = db.session.scalars(select(PovertyStandard).options(
        selectinload(PovertyStandard.indicators))).all()
    return mapping.all_fields(standards, None if year is None else rules.list_year(year))


def batch_in_scope(batch_id, user) -> ImportBatch | None:
    """A batch of a commune within the user's scope (THE access rule), else None."""
    communes = units_in_scope(COMMUNE, user).with_only_columns(AdminUnit.id)
    return db.session.scalar(select(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.commune_id.in_(communes)))


def recent(commune_id: int, limit: int = 20) -> list[ImportBatch]:
    return db.session.scalars(select(ImportBatch).where(ImportBatch.commune_id == commune_id)
                              .order_by(ImportBatch.id.desc()).limit(limit)).all()


def saved_mappings(commune_id: int) -> list[ImportMapping]:
    return db.session.scalars(select(ImportMapping).where(ImportMapping.commune_id == commune_id)
                              .order_by(ImportMapping.name)).all()


def header_of(table, sheet: int, all_fields) -> tuple[mapping.Header | None, list]:
    """The header of `sheet` and the rows read to find it (the first rows only, each text cut
    to HEADING_CHARS)."""
    rows = [(number, tuple(v[:HEADING_CHARS] if isinstance(v, str) else v for v in values))
            for number, values in table.rows(sheet, limit=mapping.SCAN_ROWS + 2)]
    return mapping.detect_header(rows, all_fields), rows


def first_sheet_with_header(table, all_fields):
    for sheet in range(len(table.sheet_names)):
        header, rows = header_of(table, sheet, all_fields)
        if header is not None:
            return sheet, header
    return None, None


def has_data(table, sheet: int, header: mapping.Header) -> bool:
    for number, values in table.rows(sheet, limit=header.data_from + 500):
        if number >= header.data_from and any(v not in (None, "") for v in values):
            return True
    return False


def upload(data: bytes, filename: str, user, commune: AdminUnit, config) -> ImportBatch:
    """Check and store an upload; Refused (nothing stored, nothing written) when it cannot be
    imported at all."""
    table = open_table(data, filename, Limits.from_config(config))
    all_fields = fields()
    if not any(values for _, values in table.rows(0, limit=mapping.SCAN_ROWS + 2)) and \
            len(table.sheet_names) == 1:
        raise Refused(N_("Tệp không có dữ liệu."))
    sheet, header = first_sheet_with_header(table, all_fields)
    if header is None:
        raise Refused(N_("Không tìm thấy dòng tiêu đề cột (ví dụ “Họ và tên”, “Năm sinh”, "
                         "“Thôn”) trong %(n)s dòng đầu của tệp."), n=mapping.SCAN_ROWS)
    if not has_data(table, sheet, header):
        raise Refused(N_("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào."))
    estimate = table.estimate_rows(sheet)
    today = clock.today()
    year, review_date = mapping.title_dates(header_of(table, sheet, all_fields)[1], header, today)
    batch = ImportBatch(commune_id=commune.id, user_id=user.id, filename=clean(filename)[:255],
                        stored_name=jobs.store(data, table.kind), state=jobs.UPLOADED)
    batch.stats = {"kind": table.kind, "sheets": table.sheet_names, "rows_estimate": estimate,
                   "size": len(data),
                   "header": header_json(header), "options": jobs.options_json(jobs.Options(
                       year=year or today.year, review_date=review_date or today, sheet=sheet))}
    db.session.add(batch)
    db.session.flush()
    jobs.sweep()
    audit.record("upload", "import_batch", batch.id, after={"filename": batch.filename,
                                                            "rows": estimate})
    return batch


def header_json(header: mapping.Header) -> dict:
    return {"rows": header.rows, "headings": header.headings, "data_from": header.data_from}


def current_mapping(batch: ImportBatch, header: mapping.Header, all_fields, sheet: int):
    """(column → field, saved mapping applied or None): what the batch was last checked with,
    else the commune's mapping saved for these headings, else the suggestion."""
    stored = batch.stats.get("mapping")
    same_sheet = (batch.stats.get("options") or {}).get("sheet", 0) == sheet
    if stored and same_sheet and batch.stats.get("header", {}).get("headings") == header.headings:
        return {int(c): f for c, f in stored.items()}, None
    saved = mapping.saved_for(batch.commune_id, header.keys)
    if saved is not None:
        return mapping.apply_saved(saved, header.keys, all_fields), saved
    return dict(header.suggested), None


def samples(table, sheet: int, header: mapping.Header) -> list[tuple]:
    """The first SAMPLE_ROWS data rows: (row number, values)."""
    rows = []
    for number, values in table.rows(sheet, limit=header.data_from + 40):
        if number >= header.data_from and any(v not in (None, "") for v in values):
            rows.append((number, tuple(mapping.cell_text(v) or None for v in values)))
            if len(rows) == SAMPLE_ROWS:
                break
    return rows


def save_mapping(commune_id: int, name: str, header: mapping.Header, chosen: dict[int, str],
                 user) -> ImportMapping:
    name = clean(name)[:120]
    saved = db.session.scalar(select(ImportMapping).where(
        ImportMapping.commune_id == commune_id, ImportMapping.name == name))
    if saved is None:
        saved = ImportMapping(commune_id=commune_id, name=name, created_by_id=user.id)
        db.session.add(saved)
    saved.headings = [k for k in header.keys if k]
    saved.mapping = mapping.to_saved(chosen, header.keys)
    saved.updated_at = clock.utcnow()
    db.session.flush()
    audit.record("save", "import_mapping", saved.id, after={"name": name, "mapping": saved.mapping})
    return saved
