"""The plan tables of the seeds, filled from the data: seed 003's appendix (CHỈ TIÊU PHẤN ĐẤU
GIẢM TỶ LỆ HỘ NGHÈO, per child unit) and seed 004's hamlet tables (BIỂU PHÂN BỐ CHỈ TIÊU GIẢM
HỘ NGHÈO / CẬN NGHÈO, per hamlet of a commune).

For plan year Y the figures are those of review year Y − 1 (app.targets.figures: frozen once
the year is frozen; otherwise poor / near-poor from the latest decided review up to Y − 1, and
households from the total an officer entered, else those managed today); persons are the poor
households' members; the social-protection / poverty-policy split and "no labour capacity"
come from that review; projected households are each unit's own projection (a count or a
growth), else the table's growth; the planned reduction is the unit's Target of Y (a count, or
a percentage of the baseline stored with it). The arithmetic is app.reports.arithmetic."""
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.excel import Column, Group
from app.core.scoping import scoped
from app.core.units import AdminUnit
from app.extensions import db
from app.reports.arithmetic import HamletRow, PlanRow, format_bp, from_percent, projected
from app.reports.common import Table, child_units, numbered
from app.targets import figures
from app.targets.figure_models import HouseholdProjection
from app.targets.models import Target

COUNTS = figures.COUNTS


def standing_counts(unit: AdminUnit, year: int, user=None) -> dict[int, dict[str, int]]:
    """child id → the figures of review year `year` (app.targets.figures: frozen when the year
    is frozen, entered totals where there are)."""
    return {child: f.counts for child, f in child_figures(unit, year, user).items()}


def child_figures(unit: AdminUnit, year: int, user=None) -> dict[int, figures.Figures]:
    found = figures.year_figures(unit, year, user)
    return {child: found.of(child) for child in found.children.get(unit.id, [])}


def planned(children: list[AdminUnit], year: int, baselines: dict[tuple[int, str], int],
            user=None) -> dict[tuple[int, str], int]:
    """(child id, kind) → planned reduction in households, from the Target rows of `year`."""
    if not children:
        return {}
    targets = db.session.scalars(scoped(
        select(Target).where(Target.unit_id.in_([c.id for c in children]), Target.year == year,
                             Target.kind.in_(("poor", "near_poor"))), Target, user)).all()
    out = {}
    for t in targets:
        if t.count is not None:
            out[(t.unit_id, t.kind)] = t.count
        elif t.percent_bp is not None:
            base = t.baseline if t.baseline is not None else baselines.get((t.unit_id, t.kind), 0)
            out[(t.unit_id, t.kind)] = from_percent(base, t.percent_bp)
    return out


def _data(unit, year, user):
    found = child_figures(unit, year - 1, user) if unit else {}
    children = child_units(unit, {cid for cid, f in found.items() if any(f.counts.values())})
    empty = figures.Figures()
    per_child = [(c, found.get(c.id, empty)) for c in children]
    baselines = {(c.id, kind): f[kind] for c, f in per_child for kind in ("poor", "near_poor")}
    return per_child, planned(children, year, baselines, user)


def projections(children: list[AdminUnit], year: int, user=None) -> dict[int, HouseholdProjection]:
    """child id → the households it expects in plan year `year`, where entered."""
    if not children:
        return {}
    stmt = select(HouseholdProjection).where(
        HouseholdProjection.unit_id.in_([c.id for c in children]), HouseholdProjection.year == year)
    return {p.unit_id: p for p in db.session.scalars(scoped(stmt, HouseholdProjection, user))}


def projected_households(households: int, entry: HouseholdProjection | None, growth_bp: int) -> int:
    """The unit's own projection (a count, or its growth), else the table's growth."""
    if entry is not None and entry.households is not None:
        return entry.households
    if entry is not None and entry.growth_bp is not None:
        return projected(households, entry.growth_bp)
    return projected(households, growth_bp)


def source_notes(per_child, year: int) -> list[str]:
    """Which figures of review year `year` are frozen, which provisional, which entered."""
    frozen = [c.name for c, f in per_child if f.frozen]
    provisional = [c.name for c, f in per_child if not f.frozen]
    entered = [c.name for c, f in per_child if f.entered]
    notes = []
    if frozen:
        notes.append(_("Số liệu năm %(year)s đã chốt: %(units)s.", year=year, units=", ".join(frozen)))
    if provisional:
        notes.append(_("Số liệu năm %(year)s tạm tính (chưa chốt, có thể thay đổi): %(units)s.",
                       year=year, units=", ".join(provisional)))
    if entered:
        notes.append(_("Tổng số hộ do cán bộ nhập (địa phương không quản lý đủ các hộ trên hệ "
                       "thống): %(units)s.", units=", ".join(entered)))
    return notes


def plan_values(r: PlanRow) -> list:
    """The figures of a seed-003 line, in the seed's column order, plus the poor households of
    no policy group ("chưa xác định") after the two groups, so the three sum to the poor."""
    return [r.households, r.poor, r.persons, r.rate, r.social, r.social_share, r.policy,
            r.policy_share, r.unknown, r.unknown_share, r.projected, r.reduction, r.remaining,
            r.new_rate, r.rate_reduction]


def targets_table(unit: AdminUnit | None, year: int, growth_bp: int, user=None) -> list[Table]:
    per_child, plans = _data(unit, year, user)
    own = projections([c for c, _f in per_child], year, user)
    lines = [(c, PlanRow(households=n["households"], poor=n["poor"], persons=n["persons"],
                         social=n["social"], policy=n["policy"],
                         projected=projected_households(n["households"], own.get(c.id), growth_bp),
                         reduction=plans.get((c.id, "poor")))) for c, n in per_child]
    all_own = bool(per_child) and all(c.id in own for c, _n in per_child)
    rate, share = "percent", "percent"
    columns = [Column(_("TT"), "int", 5), Column(_("Đơn vị"), "text", 22),
               Column(_("Tổng số hộ dân"), "int", 11),
               Column(_("Số hộ"), "int", 9), Column(_("Khẩu nghèo"), "int", 9),
               Column(_("Tỷ lệ"), rate, 7),
               Column(_("Hộ nghèo thuộc CS BTXH"), "int", 10), Column(_("Tỷ lệ"), share, 7),
               Column(_("Hộ nghèo thuộc CS giảm nghèo"), "int", 10), Column(_("Tỷ lệ"), share, 7),
               Column(_("Hộ nghèo chưa xác định nhóm chính sách"), "int", 10),
               Column(_("Tỷ lệ"), share, 7),
               Column(_("Tổng số hộ dân dự kiến năm %(year)s", year=year) if all_own else
                      _("Tổng số hộ dân (tăng khoảng %(growth)s%%)", growth=format_bp(growth_bp)),
                      "int", 12),
               Column(_("Số hộ nghèo phấn đấu giảm"), "int", 10),
               Column(_("Số hộ nghèo dự kiến còn lại"), "int", 10),
               Column(_("Tỷ lệ (%)"), rate, 8), Column(_("Tỷ lệ nghèo giảm (%)"), rate, 8)]
    groups = [[Group(None), Group(None),
               Group(_("Kết quả rà soát năm %(year)s", year=year - 1), 10),
               Group(_("Số liệu phấn đấu giảm nghèo năm %(year)s", year=year), 5)],
              [Group(None), Group(None), Group(None), Group(_("Số hộ nghèo"), 3),
               Group(_("Trong đó"), 6), *[Group(None)] * 5]]
    rows = numbered([[c.name, *plan_values(r)] for c, r in lines])
    totals = ["", _("Tổng cộng"), *plan_values(PlanRow.total([r for _c, r in lines]))]
    notes = [
        *source_notes(per_child, year - 1),
        _("Tổng số hộ dân: số liệu năm %(year)s đã chốt; chưa chốt thì tổng số hộ do cán bộ nhập, "
          "không có thì số hộ đang quản lý trên hệ thống.", year=year - 1),
        _("Tổng số hộ dân năm kế hoạch: số hộ dự kiến của từng đơn vị khi đã nhập; đơn vị chưa "
          "nhập tăng %(growth)s%% so với năm %(year)s.", growth=format_bp(growth_bp),
          year=year - 1),
        _("Số hộ nghèo: hộ có kết quả rà soát được quyết định gần nhất đến năm %(year)s là hộ "
          "nghèo; khẩu nghèo: thành viên của các hộ đó.", year=year - 1),
        _("Hộ nghèo thuộc chính sách bảo trợ xã hội, thuộc chính sách giảm nghèo và chưa xác "
          "định nhóm chính sách (kết quả rà soát không ghi nhóm) cộng lại bằng số hộ nghèo."),
        _("Số hộ nghèo phấn đấu giảm: chỉ tiêu giao cho đơn vị năm %(year)s (để trống khi chưa "
          "giao).", year=year),
        _("Tỷ lệ = số hộ / tổng số hộ × 100, làm tròn hai chữ số thập phân; tỷ lệ nghèo giảm = "
          "hiệu của hai tỷ lệ.")]
    title = _("CHỈ TIÊU PHẤN ĐẤU GIẢM TỶ LỆ HỘ NGHÈO NĂM %(year)s", year=year)
    return [Table("targets", title, columns, rows, totals, groups, notes,
                  sheet_name=_("Chỉ tiêu %(year)s", year=year))]


def hamlet_values(r: HamletRow, poor: bool) -> list:
    head = [r.households, r.count] + ([r.no_labour] if poor else [])
    return head + [r.reduction, r.end, r.rate]


def hamlet_tables(commune: AdminUnit | None, year: int, user=None) -> list[Table]:
    per_child, plans = _data(commune, year, user)
    tables = []
    for kind, poor in (("poor", True), ("near_poor", False)):
        lines = [(c, HamletRow(households=n["households"], count=n[kind],
                               reduction=plans.get((c.id, kind)),
                               no_labour=n["no_labour"] if poor else None)) for c, n in per_child]
        if poor:
            title = _("BIỂU PHÂN BỐ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM %(year)s", year=year)
            middle = [Column(_("Tổng số hộ năm %(year)s", year=year), "int", 11),
                      Column(_("Hộ nghèo sau rà soát năm %(year)s", year=year - 1), "int", 11),
                      Column(_("Hộ nghèo không còn khả năng lao động"), "int", 12),
                      Column(_("Kế hoạch giảm năm %(year)s", year=year), "int", 10),
                      Column(_("Hộ nghèo cuối kỳ năm %(year)s", year=year), "int", 10)]
            group = _("Giảm hộ nghèo năm %(year)s", year=year)
        else:
            title = _("BIỂU PHÂN BỐ CHỈ TIÊU GIẢM HỘ CẬN NGHÈO NĂM %(year)s", year=year)
            middle = [Column(_("Tổng số hộ dân %(year)s", year=year), "int", 11),
                      Column(_("Hộ cận nghèo sau rà soát năm %(year)s", year=year - 1), "int", 11),
                      Column(_("Kế hoạch giảm năm %(year)s", year=year), "int", 10),
                      Column(_("Hộ cận nghèo cuối kỳ năm %(year)s", year=year), "int", 10)]
            group = _("Giảm hộ cận nghèo năm %(year)s", year=year)
        columns = [Column(_("TT"), "int", 5), Column(_("Tên thôn, xóm"), "text", 20), *middle,
                   Column(_("Tỷ lệ %"), "percent", 8)]
        groups = [[Group(None), Group(None), Group(None), Group(group, len(columns) - 3)]]
        rows = numbered([[c.name, *hamlet_values(r, poor)] for c, r in lines])
        totals = ["", _("Cộng"), *hamlet_values(HamletRow.total([r for _c, r in lines]), poor)]
        notes = [*source_notes(per_child, year - 1),
                 _("Hộ %(kind)s sau rà soát: kết quả rà soát được quyết định gần nhất đến năm "
                   "%(year)s; tổng số hộ: số liệu năm %(year)s (đã chốt, hoặc do cán bộ nhập, "
                   "hoặc số hộ đang quản lý); tỷ lệ = hộ cuối kỳ / tổng số hộ × 100.",
                   kind=_("nghèo") if poor else _("cận nghèo"), year=year - 1)]
        tables.append(Table("hamlet-" + kind, title, columns, rows, totals, groups, notes,
                            sheet_name=_("Giảm hộ nghèo") if poor else _("Giảm hộ cận nghèo")))
    return tables
