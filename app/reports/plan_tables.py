"""The plan tables of the seeds, filled from the data: seed 003's appendix (CHỈ TIÊU PHẤN ĐẤU
GIẢM TỶ LỆ HỘ NGHÈO, per child unit) and seed 004's hamlet tables (BIỂU PHÂN BỐ CHỈ TIÊU GIẢM
HỘ NGHÈO / CẬN NGHÈO, per hamlet of a commune).

For plan year Y: households are those managed today (the app keeps no yearly household
count); poor / near-poor households are those whose latest decided review up to Y − 1 says so
(a household stays on the list until a decision takes it off — the baseline the targets pages
use); persons are their members; the social-protection / poverty-policy split and "no labour
capacity" come from that review; the planned reduction is the unit's Target of Y (a count, or
a percentage of the baseline stored with it). The arithmetic is app.reports.arithmetic."""
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from app.core.excel import Column, Group
from app.core.scoping import scoped
from app.core.units import AdminUnit
from app.extensions import db
from app.households.models import Household, Member
from app.reports.arithmetic import HamletRow, PlanRow, format_bp, from_percent, projected
from app.reports.common import Table, child_columns, child_of, child_units, in_unit, numbered
from app.reviews import rules
from app.reviews.models import Review
from app.targets.models import Target

SOCIAL, POLICY = "social_protection", "poverty_policy"
COUNTS = ("poor", "near_poor", "persons", "social", "policy", "no_labour", "households")


def _latest_decided(unit: AdminUnit, year: int, user):
    """household id → year of its latest decided review up to `year`, for the households
    living in `unit` now (within the scope, not deleted)."""
    return scoped(select(Review.household_id.label("household_id"),
                         func.max(Review.year).label("year"))
                  .join(Household, Household.id == Review.household_id)
                  .where(in_unit(Household, unit), Review.decided_status.is_not(None),
                         Review.year <= year)
                  .group_by(Review.household_id), Household, user).subquery()


def standing_counts(unit: AdminUnit, year: int, user=None) -> dict[int, dict[str, int]]:
    """child id → households now, poor / near-poor after `year`, and of the poor: persons,
    social-protection and poverty-policy households, households without labour capacity."""
    counts: dict[int, dict[str, int]] = {}

    def bucket(ids):
        return counts.setdefault(child_of(ids), dict.fromkeys(COUNTS, 0))

    keys = child_columns(Household, unit)
    for *ids, n in db.session.execute(scoped(
            select(*keys, func.count()).where(in_unit(Household, unit)).group_by(*keys),
            Household, user)):
        bucket(ids)["households"] += n

    latest = _latest_decided(unit, year, user)
    decided = (select(*keys, Review.decided_status, Review.policy_group, Review.has_labour,
                      func.count())
               .select_from(latest)
               .join(Review, and_(Review.household_id == latest.c.household_id,
                                  Review.year == latest.c.year))
               .join(Household, Household.id == Review.household_id)
               .where(Review.decided_status.in_(rules.IN_LISTS))
               .group_by(*keys, Review.decided_status, Review.policy_group, Review.has_labour))
    for *ids, status, group, has_labour, n in db.session.execute(scoped(decided, Household, user)):
        b = bucket(ids)
        b[status] += n
        if status == rules.POOR:
            b["social"] += n if group == SOCIAL else 0
            b["policy"] += n if group == POLICY else 0
            b["no_labour"] += n if has_labour is False else 0

    persons = (select(*keys, func.count(Member.id))
               .select_from(latest)
               .join(Review, and_(Review.household_id == latest.c.household_id,
                                  Review.year == latest.c.year))
               .join(Household, Household.id == Review.household_id)
               .join(Member, Member.household_id == Household.id)
               .where(Review.decided_status == rules.POOR, Member.deleted_at.is_(None))
               .group_by(*keys))
    for *ids, n in db.session.execute(scoped(persons, Household, user)):
        bucket(ids)["persons"] += n
    return counts


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
    counts = standing_counts(unit, year - 1, user) if unit else {}
    children = child_units(unit, counts)
    empty = dict.fromkeys(COUNTS, 0)
    per_child = [(c, counts.get(c.id, empty)) for c in children]
    baselines = {(c.id, kind): n[kind] for c, n in per_child for kind in ("poor", "near_poor")}
    return per_child, planned(children, year, baselines, user)


def plan_values(r: PlanRow) -> list:
    """The 13 figures of a seed-003 line, in the seed's column order."""
    return [r.households, r.poor, r.persons, r.rate, r.social, r.social_share, r.policy,
            r.policy_share, r.projected, r.reduction, r.remaining, r.new_rate, r.rate_reduction]


def targets_table(unit: AdminUnit | None, year: int, growth_bp: int, user=None) -> list[Table]:
    per_child, plans = _data(unit, year, user)
    lines = [(c, PlanRow(households=n["households"], poor=n["poor"], persons=n["persons"],
                         social=n["social"], policy=n["policy"],
                         projected=projected(n["households"], growth_bp),
                         reduction=plans.get((c.id, "poor")))) for c, n in per_child]
    rate, share = "percent", "percent"
    columns = [Column(_("TT"), "int", 5), Column(_("Đơn vị"), "text", 22),
               Column(_("Tổng số hộ dân"), "int", 11),
               Column(_("Số hộ"), "int", 9), Column(_("Khẩu nghèo"), "int", 9),
               Column(_("Tỷ lệ"), rate, 7),
               Column(_("Hộ nghèo thuộc CS BTXH"), "int", 10), Column(_("Tỷ lệ"), share, 7),
               Column(_("Hộ nghèo thuộc CS giảm nghèo"), "int", 10), Column(_("Tỷ lệ"), share, 7),
               Column(_("Tổng số hộ dân (tăng khoảng %(growth)s%%)", growth=format_bp(growth_bp)),
                      "int", 12),
               Column(_("Số hộ nghèo phấn đấu giảm"), "int", 10),
               Column(_("Số hộ nghèo dự kiến còn lại"), "int", 10),
               Column(_("Tỷ lệ (%)"), rate, 8), Column(_("Tỷ lệ nghèo giảm (%)"), rate, 8)]
    groups = [[Group(None), Group(None),
               Group(_("Kết quả rà soát năm %(year)s", year=year - 1), 8),
               Group(_("Số liệu phấn đấu giảm nghèo năm %(year)s", year=year), 5)],
              [Group(None), Group(None), Group(None), Group(_("Số hộ nghèo"), 3),
               Group(_("Trong đó"), 4), *[Group(None)] * 5]]
    rows = numbered([[c.name, *plan_values(r)] for c, r in lines])
    totals = ["", _("Tổng cộng"), *plan_values(PlanRow.total([r for _c, r in lines]))]
    notes = [
        _("Tổng số hộ dân: số hộ đang quản lý trên hệ thống (chưa lưu số hộ theo từng năm); "
          "năm kế hoạch tăng %(growth)s%% so với hiện nay.", growth=format_bp(growth_bp)),
        _("Số hộ nghèo: hộ có kết quả rà soát được quyết định gần nhất đến năm %(year)s là hộ "
          "nghèo; khẩu nghèo: thành viên của các hộ đó.", year=year - 1),
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
        notes = [_("Hộ %(kind)s sau rà soát: kết quả rà soát được quyết định gần nhất đến năm "
                   "%(year)s; tổng số hộ: số hộ đang quản lý trên hệ thống; tỷ lệ = hộ cuối kỳ / "
                   "tổng số hộ × 100.", kind=_("nghèo") if poor else _("cận nghèo"), year=year - 1)]
        tables.append(Table("hamlet-" + kind, title, columns, rows, totals, groups, notes,
                            sheet_name=_("Giảm hộ nghèo") if poor else _("Giảm hộ cận nghèo")))
    return tables
