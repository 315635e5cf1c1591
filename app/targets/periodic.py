"""Periodic reports (6-month, 9-month, annual) per unit: deadlines as data, states, the submit
step that freezes a snapshot of the key counts, and consolidation upward. "Today" is passed in,
so states are tested against a fixed date. The caller commits once."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.core import audit, clock
from app.core.i18n import N_
from app.core.scoping import scoped
from app.core.text import clean
from app.core.units import COMMUNE, HAMLET, AdminUnit
from app.extensions import db
from app.reviews import rules
from app.targets import queries
from app.targets.models import REPORT_KIND_LABELS, ReportDeadline, ReportSubmission
from app.targets.queries import KINDS
from app.targets.services import ancestry

REPORT_KINDS = tuple(REPORT_KIND_LABELS)
DUE, OVERDUE, SUBMITTED = "due", "overdue", "submitted"
STATE_LABELS = {DUE: N_("Chưa nộp (còn hạn)"), OVERDUE: N_("Quá hạn"), SUBMITTED: N_("Đã nộp")}
# The numbers frozen per unit row; the consolidated table sums exactly these.
SNAPSHOT_KEYS = ("households", "poor", "near_poor", "merit_poor",
                 "start_poor", "start_near_poor", "start_merit_poor",
                 "escaped", "escaped_near", "relapsed", "newly_poor", "near_relapsed", "newly_near",
                 "target_poor", "target_near_poor", "target_merit_poor",
                 "reduction_poor", "reduction_near_poor", "reduction_merit_poor")


def already_submitted_message() -> str:
    return _("Báo cáo này đã được nộp; số liệu đã chốt không thể nộp lại.")


class ReportError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Deadlines ----------------------------------------------------------------------------------

def deadlines(unit_ids, year: int) -> dict[tuple[int, str], tuple[date, bool]]:
    """(unit id, kind) → (due date, whether the unit has its own): a unit's own row overrides
    the default row (unit_id NULL)."""
    ids = list(unit_ids)
    rows = db.session.scalars(select(ReportDeadline).where(
        ReportDeadline.year == year,
        or_(ReportDeadline.unit_id.is_(None), ReportDeadline.unit_id.in_(ids or [-1])))).all()
    defaults = {r.kind: r.due_on for r in rows if r.unit_id is None}
    own = {(r.unit_id, r.kind): r.due_on for r in rows if r.unit_id is not None}
    result = {}
    for unit_id in ids:
        for kind in REPORT_KINDS:
            if (unit_id, kind) in own:
                result[(unit_id, kind)] = (own[(unit_id, kind)], True)
            elif kind in defaults:
                result[(unit_id, kind)] = (defaults[kind], False)
    return result


def default_deadlines(year: int) -> dict[str, ReportDeadline]:
    return {r.kind: r for r in db.session.scalars(select(ReportDeadline).where(
        ReportDeadline.unit_id.is_(None), ReportDeadline.year == year))}


def deadline_years() -> list[int]:
    return sorted(set(db.session.scalars(select(ReportDeadline.year).distinct())))


def _check_dates(year: int, dates: dict):
    for kind, due in dates.items():
        if due is not None and due.year not in (year, year + 1):
            raise ReportError(_("Hạn nộp phải thuộc năm %(year)s hoặc năm sau.", year=year))


def _save_rows(unit_id: int | None, year: int, dates: dict, user):
    _check_dates(year, dates)
    current = {r.kind: r for r in db.session.scalars(select(ReportDeadline).where(
        ReportDeadline.year == year,
        ReportDeadline.unit_id.is_(None) if unit_id is None else ReportDeadline.unit_id == unit_id))}
    for kind in REPORT_KINDS:
        due, row = dates.get(kind), current.get(kind)
        before = {"due_on": row.due_on.isoformat()} if row else None
        if due is None:
            if row is not None:
                db.session.delete(row)
                audit.record("delete", "report_deadline", row.id, before,
                             None, user)
            continue
        if row is None:
            row = ReportDeadline(unit_id=unit_id, year=year, kind=kind, due_on=due)
            db.session.add(row)
        elif row.due_on == due:
            continue
        row.due_on = due
        db.session.flush()
        audit.record("update" if before else "create", "report_deadline", row.id, before,
                     {"due_on": due.isoformat(), "unit_id": unit_id, "year": year, "kind": kind}, user)
    db.session.flush()


def save_default_deadlines(year: int, dates: dict, user):
    """The default deadlines of a year (admin). A blank date removes that default."""
    _save_rows(None, year, dates, user)


def save_unit_deadlines(unit: AdminUnit, year: int, dates: dict, user):
    """A unit's own deadlines (set by the level above); a blank date falls back to the default."""
    _save_rows(unit.id, year, dates, user)


# States -------------------------------------------------------------------------------------

@dataclass
class ReportStatus:
    unit: AdminUnit
    year: int
    kind: str
    due_on: date | None
    own_deadline: bool
    submission: ReportSubmission | None
    today: date

    @property
    def state(self) -> str:
        if self.submission is not None:
            return SUBMITTED
        if self.due_on is not None and self.today > self.due_on:
            return OVERDUE
        return DUE

    @property
    def late(self) -> bool:
        """Submitted after its deadline."""
        return (self.submission is not None and self.due_on is not None
                and self.submission.submitted_at.date() > self.due_on)

    @property
    def days_left(self) -> int | None:
        if self.due_on is None or self.submission is not None:
            return None
        return (self.due_on - self.today).days


def submissions(unit_ids, year: int, kinds=REPORT_KINDS, user=None) -> dict[tuple[int, str], ReportSubmission]:
    ids = list(unit_ids)
    if not ids:
        return {}
    stmt = scoped(select(ReportSubmission).where(
        ReportSubmission.unit_id.in_(ids), ReportSubmission.year == year,
        ReportSubmission.kind.in_(kinds)), ReportSubmission, user)
    return {(s.unit_id, s.kind): s for s in db.session.scalars(stmt).unique()}


def statuses(units, year: int, today: date, kinds=REPORT_KINDS, user=None) -> dict[tuple[int, str], ReportStatus]:
    units = list(units)
    ids = [u.id for u in units]
    due, done = deadlines(ids, year), submissions(ids, year, kinds, user)
    result = {}
    for unit in units:
        for kind in kinds:
            due_on, own = due.get((unit.id, kind), (None, False))
            result[(unit.id, kind)] = ReportStatus(unit, year, kind, due_on, own,
                                                   done.get((unit.id, kind)), today)
    return result


def status(unit: AdminUnit, year: int, kind: str, today: date, user=None) -> ReportStatus:
    return statuses([unit], year, today, (kind,), user)[(unit.id, kind)]


# What needs doing (the home page, and the list's "todo" filter): a report not submitted whose
# deadline has passed or is this close, and the reporting units with an overdue report.
DUE_SOON_DAYS = 30


def to_do(status: ReportStatus) -> bool:
    return (status.submission is None and status.due_on is not None
            and status.due_on <= status.today + timedelta(days=DUE_SOON_DAYS))


def late_units(units, grid: dict[tuple[int, str], ReportStatus]) -> list[AdminUnit]:
    return [u for u in units if any(grid[(u.id, k)].state == OVERDUE for k in REPORT_KINDS)]


def reporting_children(unit: AdminUnit) -> list[AdminUnit]:
    """The units that report to `unit`: its children above hamlet level (hamlets report to
    their commune on paper, not here)."""
    if unit.level in (COMMUNE, HAMLET):
        return []
    return queries.child_units(unit)


# Snapshot -----------------------------------------------------------------------------------

def _row_numbers(row: queries.ProgressRow) -> dict:
    t = row.transitions
    numbers = {"households": row.households,
               **{k: row.end[k] for k in KINDS},
               **{f"start_{k}": row.start[k] for k in KINDS},
               **{tr: t.get(tr, 0) for tr in rules.TRANSITIONS},
               **{f"target_{k}": row.target_counts.get(k) for k in KINDS},
               **{f"reduction_{k}": row.reduction(k) for k in KINDS}}
    return numbers


def build_snapshot(unit: AdminUnit, year: int, kind: str, user=None, now: datetime | None = None) -> dict:
    """The key counts of `unit` and its children as they stand now (JSON-ready)."""
    rows, totals = queries.progress_rows(unit, year, user)
    own = queries.targets_of([unit.id], year, user)
    total = _row_numbers(totals)
    for k in KINDS:
        own_target = queries.effective_count(own.get((unit.id, k)))
        if own_target is not None:
            total[f"target_{k}"] = own_target
    children = [] if unit.level == HAMLET else [
        {"unit_id": r.unit.id, "code": r.unit.code, "name": r.unit.name, "level": r.unit.level,
         **_row_numbers(r)} for r in rows]
    return {"unit": {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level},
            "year": year, "kind": kind, "as_of": (now or clock.utcnow()).isoformat(timespec="seconds"),
            "total": total, "children": children}


def submit(unit: AdminUnit, year: int, kind: str, user, note: str = "",
           now: datetime | None = None) -> ReportSubmission:
    """Freeze the report. A report is submitted once (ReportError otherwise)."""
    if kind not in REPORT_KINDS:
        raise ReportError(_("Loại báo cáo không hợp lệ."))
    if submissions([unit.id], year, (kind,), user):
        raise ReportError(already_submitted_message())
    now = now or clock.utcnow()
    snapshot = build_snapshot(unit, year, kind, user, now)
    children = reporting_children(unit)
    if children:
        snapshot["consolidated"] = consolidated_numbers(unit, year, kind, user)
    submission = ReportSubmission(year=year, kind=kind, submitted_at=now,
                                  submitted_by_id=getattr(user, "id", None), snapshot=snapshot,
                                  note=clean(note), **ancestry(unit))
    db.session.add(submission)
    db.session.flush()
    audit.record("submit", "report_submission", submission.id, None,
                 {"unit_id": unit.id, "year": year, "kind": kind, "total": snapshot["total"]}, user)
    return submission


# Consolidation ------------------------------------------------------------------------------

def sum_numbers(snapshots) -> dict:
    """Key by key sums of the `total` rows of children's snapshots; a key missing from every
    snapshot (no target set anywhere) stays None."""
    sums = {}
    for key in SNAPSHOT_KEYS:
        values = [s["total"].get(key) for s in snapshots if s["total"].get(key) is not None]
        sums[key] = sum(values) if values else None
    return sums


@dataclass
class Consolidation:
    children: list[ReportStatus] = field(default_factory=list)
    sums: dict = field(default_factory=dict)

    @property
    def submitted(self) -> list[ReportStatus]:
        return [s for s in self.children if s.submission is not None]

    @property
    def missing(self) -> list[ReportStatus]:
        return [s for s in self.children if s.submission is None]


def consolidate(unit: AdminUnit, year: int, kind: str, today: date, user=None) -> Consolidation:
    children = reporting_children(unit)
    found = statuses(children, year, today, (kind,), user)
    result = Consolidation([found[(c.id, kind)] for c in children])
    result.sums = sum_numbers([s.submission.snapshot for s in result.submitted])
    return result


def consolidated_numbers(unit, year, kind, user=None) -> dict:
    """What the consolidated table held when `unit` submitted: the sums and who was missing."""
    result = consolidate(unit, year, kind, clock.today(), user)
    return {"sums": result.sums,
            "submitted": [s.unit.id for s in result.submitted],
            "missing": [{"unit_id": s.unit.id, "name": s.unit.name} for s in result.missing]}
