"""Writes and rules of targets: who sets which unit's targets, the baseline stored with them,
validation, version checks, audit, and the consistency of children's targets with the
parent's. The caller commits once."""
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core import audit, clock
from app.core.i18n import N_
from app.core.scoping import LEVEL_COLUMN
from app.core.text import clean
from app.core.units import COMMUNE, DISTRICT, PROVINCE, AdminUnit
from app.core.users import Role
from app.core.versioning import StaleEdit, claim_next_version
from app.extensions import db
from app.targets import queries
from app.targets.models import Target
from app.targets.queries import KINDS

TARGET_FIELDS = ("year", "kind", "count", "percent_bp", "baseline", "note")
# Who sets targets: the officer of the unit directly above (the child's parent).
SETTER_ROLES = {PROVINCE: (Role.DISTRICT,), DISTRICT: (Role.DISTRICT,), COMMUNE: (Role.COMMUNE,)}
MIN_YEAR, MAX_YEAR = 2000, 2100


class TargetError(Exception):
    """Input refused; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def format_bp(bp: int | None) -> str:
    """Basis points as the official tables write a percentage: 150 → "1,50 %"."""
    if bp is None:
        return ""
    sign = "-" if bp < 0 else ""
    bp = abs(bp)
    whole = f"{bp // 100:,}".replace(",", ".")
    return f"{sign}{whole},{bp % 100:02d} %"


def ancestry(unit: AdminUnit) -> dict[str, int | None]:
    """The unit id and its ancestors' ids as the UnitScoped columns want them."""
    return {"unit_id": unit.id,
            **{LEVEL_COLUMN[level]: uid for level, uid in unit.lineage().items()}}


# Who may set what ---------------------------------------------------------------------------

def can_set_children(user, unit: AdminUnit) -> bool:
    """Whether `user` sets the targets of `unit`'s children: only the officer of that very
    unit, in the role that works at its level."""
    return (user is not None and user.is_authenticated and user.unit is not None
            and user.unit.id == unit.id and unit.is_active
            and user.role in SETTER_ROLES.get(unit.level, ()))


def can_set_own(user, unit: AdminUnit) -> bool:
    """A province has no level above it in the app: its officer records the target the
    province was given."""
    return can_set_children(user, unit) and unit.level == PROVINCE


def settable_unit(user, unit_id) -> AdminUnit | None:
    """The unit named by `unit_id` when `user` may set its targets; None otherwise (→ 404)."""
    own = getattr(user, "unit", None)
    if own is None:
        return None
    unit = queries.unit_in_scope(unit_id, user)
    if unit is None or not unit.is_active:
        return None
    if unit.parent_id == own.id and can_set_children(user, own):
        return unit
    if unit.id == own.id and can_set_own(user, own):
        return unit
    return None


# Baseline, validation, save -----------------------------------------------------------------

def baselines(unit: AdminUnit, year: int, user=None) -> dict[str, int]:
    """Households of each kind at the start of `year`: standing after year − 1's decisions."""
    return queries.unit_totals(queries.standing_counts(unit, year - 1, user))


def check_year(year, area: AdminUnit, user=None) -> int:
    """A year whose previous year has decided reviews in `area` (the setter's unit): without
    them there is no baseline to reduce."""
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise TargetError("year", _("Năm không hợp lệ."))
    if not queries.has_decisions(area, year - 1, user):
        raise TargetError("year", _("Năm %(year)s chưa có dữ liệu: địa bàn chưa có kết quả rà soát "
                                    "năm %(previous)s được quyết định để làm số đầu năm.",
                                    year=year, previous=year - 1))
    return year


@dataclass
class TargetValue:
    """One kind's input: a count of households or a percentage in basis points; both None
    means no target for that kind."""
    count: int | None = None
    percent_bp: int | None = None

    @property
    def empty(self) -> bool:
        return self.count is None and self.percent_bp is None


def validate(kind: str, value: TargetValue, baseline: int):
    field = f"{kind}_value"
    if value.count is not None:
        if value.count < 0:
            raise TargetError(field, _("Chỉ tiêu không được âm."))
        if value.count > baseline:
            raise TargetError(field, _("Số hộ phấn đấu giảm (%(count)s) vượt số hộ đầu năm (%(baseline)s).",
                                       count=value.count, baseline=baseline))
    if value.percent_bp is not None:
        if value.percent_bp < 0:
            raise TargetError(field, _("Chỉ tiêu không được âm."))
        if value.percent_bp > 10000:
            raise TargetError(field, _("Tỷ lệ không được vượt quá 100 %."))


def _display(target: Target | None) -> str:
    if target is None:
        return "—"
    if target.count is not None:
        return str(target.count)
    return format_bp(target.percent_bp)


def save_targets(unit: AdminUnit, year: int, values: dict[str, TargetValue],
                 versions: dict[str, int], note: str, user, area: AdminUnit | None = None):
    """Set (or clear) the three targets of `unit` for `year`. `versions`: the version of each
    kind's target when the form was loaded (0: there was none). A stale one → StaleEdit."""
    check_year(year, area or unit.parent or unit, user)
    base = baselines(unit, year, user)
    for kind in KINDS:
        validate(kind, values[kind], base[kind])
    existing = queries.targets_of([unit.id], year, user)
    stale = {}
    for kind in KINDS:
        current = existing.get((unit.id, kind))
        if (current.version if current else 0) != (versions.get(kind) or 0):
            stale[f"{kind}_value"] = _display(current)
    if stale:
        raise StaleEdit(None, stale)
    note = clean(note)
    saved = []
    for kind in KINDS:
        value, current = values[kind], existing.get((unit.id, kind))
        if value.empty:
            if current is not None:
                claim_next_version(current, versions.get(kind))
                audit.record("delete", "target", current.id, audit.snapshot(current, TARGET_FIELDS), None)
                db.session.delete(current)
            continue
        before = audit.snapshot(current, TARGET_FIELDS) if current else None
        if current is None:
            current = Target(year=year, kind=kind, **ancestry(unit))
            db.session.add(current)
        else:
            claim_next_version(current, versions.get(kind))
        current.count, current.percent_bp = value.count, value.percent_bp
        current.baseline, current.note = base[kind], note
        current.set_by_id, current.updated_at = getattr(user, "id", None), clock.utcnow()
        db.session.flush()
        after = audit.snapshot(current, TARGET_FIELDS)
        if before != after:
            audit.record("update" if before else "create", "target", current.id, before,
                         {**after, "unit_id": unit.id})
        saved.append(current)
    db.session.flush()
    return saved


# Consistency --------------------------------------------------------------------------------

ENOUGH, SHORT, OVER, NO_PARENT = "enough", "short", "over", "no_parent"
CONSISTENCY_LABELS = {ENOUGH: N_("Đủ"), SHORT: N_("Thiếu"), OVER: N_("Vượt"),
                      NO_PARENT: N_("Chưa có chỉ tiêu của cấp này")}


@dataclass
class Consistency:
    kind: str
    parent_target: int | None
    children_sum: int
    children_with_target: int
    children_total: int

    @property
    def state(self) -> str:
        if self.parent_target is None:
            return NO_PARENT
        if self.children_sum == self.parent_target:
            return ENOUGH
        return SHORT if self.children_sum < self.parent_target else OVER

    @property
    def difference(self) -> int:
        """Children's sum minus the parent's target (negative: short of it)."""
        return self.children_sum - (self.parent_target or 0)


def consistency(parent_counts: dict[str, int | None], rows) -> dict[str, Consistency]:
    """The children's targets (as counts) against the parent's, per kind. `parent_counts`:
    kind → the parent's target as a count; `rows`: queries.ProgressRow of the children."""
    result = {}
    for kind in KINDS:
        counts = [r.target_counts.get(kind) for r in rows if r.unit is not None and r.unit.is_active]
        set_counts = [c for c in counts if c is not None]
        result[kind] = Consistency(kind, parent_counts.get(kind), sum(set_counts),
                                   len(set_counts), len(counts))
    return result


def parent_targets(unit: AdminUnit, year: int, user=None) -> dict[str, Target | None]:
    found = queries.targets_of([unit.id], year, user)
    return {kind: found.get((unit.id, kind)) for kind in KINDS}
