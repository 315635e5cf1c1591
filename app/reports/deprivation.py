"""Biểu 01 (households deprived per indicator, per unit) and the poor households with a người
có công member by category a)–m), both from the decided reviews of one year.

Each is a GROUP BY over the scoped reviews of the chosen unit: review_deprivation joined to
the reviews decided "poor" that year (Biểu 01), or the members with a category (categories)."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.excel import Column, Group
from app.core.lookups import Lookup
from app.core.scoping import scoped
from app.core.units import AdminUnit
from app.extensions import db
from app.households.models import Household, Member
from app.reports.arithmetic import rate
from app.reports.common import (Table, child_columns, child_of, child_units, in_unit,
                                numbered)
from app.reviews import rules
from app.reviews.models import Indicator, PovertyStandard, Review, review_deprivation
from app.reviews.rules import RuleError
from app.reviews.services import standard_for_review_year


def _poor_reviews(stmt, unit: AdminUnit, year: int, user):
    """`stmt` limited to the reviews of `year` decided poor, in `unit`, within the scope, of
    households not deleted."""
    return scoped(stmt.join(Household, Household.id == Review.household_id)
                  .where(in_unit(Review, unit), Review.year == year,
                         Review.decided_status == rules.POOR, Household.deleted_at.is_(None)),
                  Review, user)


def poor_counts(unit: AdminUnit, year: int, user=None) -> dict[int, dict[str, int]]:
    """child id → {"all": poor households, "merit": those with a người có công member}."""
    keys = child_columns(Review, unit)
    stmt = _poor_reviews(select(*keys, Household.has_merit_member, func.count(Review.id))
                         .select_from(Review), unit, year, user) \
        .group_by(*keys, Household.has_merit_member)
    counts: dict[int, dict[str, int]] = {}
    for *ids, merit, n in db.session.execute(stmt):
        bucket = counts.setdefault(child_of(ids), {"all": 0, "merit": 0})
        bucket["all"] += n
        if merit:
            bucket["merit"] += n
    return counts


def deprivation_counts(unit: AdminUnit, year: int, user=None) -> dict[tuple[int, bool, int], int]:
    """(child id, has người có công member, indicator id) → poor households deprived."""
    keys = child_columns(Review, unit)
    stmt = _poor_reviews(
        select(*keys, Household.has_merit_member, review_deprivation.c.indicator_id,
               func.count(Review.id))
        .select_from(Review)
        .join(review_deprivation, review_deprivation.c.review_id == Review.id), unit, year, user) \
        .group_by(*keys, Household.has_merit_member, review_deprivation.c.indicator_id)
    counts: dict[tuple[int, bool, int], int] = {}
    for *ids, merit, indicator_id, n in db.session.execute(stmt):
        key = (child_of(ids), bool(merit), indicator_id)
        counts[key] = counts.get(key, 0) + n
    return counts


def standard_of(year: int) -> PovertyStandard | None:
    try:
        return standard_for_review_year(year)
    except RuleError:
        return None


def bieu01(unit: AdminUnit | None, year: int, user=None) -> list[Table]:
    """Two tables: all poor households, and poor households with a người có công member."""
    standard = standard_of(year)
    indicators: list[Indicator] = sorted(standard.indicators, key=lambda i: i.number) if standard else []
    poor = poor_counts(unit, year, user) if unit else {}
    deprived = deprivation_counts(unit, year, user) if unit else {}
    children = child_units(unit, poor)
    columns = [Column(_("TT"), "int", 5), Column(_("Đơn vị"), "text", 24),
               Column(_("Số hộ nghèo"), "int", 10)]
    columns += [Column(f"{i.number}. {i.label}", "int", 12) for i in indicators]
    groups = [[Group(None), Group(None), Group(None)]]
    for dimension in (standard.dimensions if standard else []):
        span = sum(1 for i in indicators if i.dimension_id == dimension.id)
        if span:
            groups[0].append(Group(dimension.name, span))
    if not indicators:
        groups = []
    notes = [_("Số hộ nghèo theo kết quả rà soát năm %(year)s đã được UBND cấp xã quyết định; "
               "một hộ thiếu hụt nhiều chỉ số được tính ở mỗi chỉ số.", year=year)]
    if standard:
        notes.append(_("Chỉ số theo %(name)s (%(basis)s).", name=standard.name,
                       basis=standard.legal_basis))
    else:
        notes.append(_("Chưa có chuẩn nghèo áp dụng cho năm %(year)s.", year=year))
    tables = []
    for key, merit, title in (
            ("bieu01", False, _("BIỂU 01. SỐ HỘ NGHÈO THIẾU HỤT CÁC CHỈ SỐ ĐO LƯỜNG MỨC ĐỘ THIẾU "
                                "HỤT DỊCH VỤ XÃ HỘI CƠ BẢN NĂM %(year)s", year=year)),
            ("bieu01-ncc", True, _("BIỂU 01. SỐ HỘ NGHÈO CÓ NGƯỜI CÓ CÔNG VỚI CÁCH MẠNG THIẾU HỤT "
                                   "CÁC CHỈ SỐ ĐO LƯỜNG MỨC ĐỘ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN "
                                   "NĂM %(year)s", year=year))):
        bucket = "merit" if merit else "all"
        rows = []
        for child in children:
            row = [child.name, poor.get(child.id, {}).get(bucket, 0)]
            row += [_deprived(deprived, child.id, i.id, merit) for i in indicators]
            rows.append(row)
        totals = ["", _("Tổng cộng")] + [sum(r[c] for r in rows) for c in range(1, 2 + len(indicators))]
        tables.append(Table(key, title, columns, numbered(rows), totals, groups, notes,
                            sheet_name=_("Biểu 01 NCC") if merit else _("Biểu 01")))
    return tables


def _deprived(counts, child_id, indicator_id, merit_only) -> int:
    n = counts.get((child_id, True, indicator_id), 0)
    return n if merit_only else n + counts.get((child_id, False, indicator_id), 0)


# Người có công by category ----------------------------------------------------------------------

def category_counts(unit: AdminUnit, year: int, user=None) -> dict[tuple[int, str], int]:
    """(child id, category code) → poor households with a member of that category."""
    keys = child_columns(Review, unit)
    stmt = _poor_reviews(
        select(*keys, Member.merit_category, func.count(Review.household_id.distinct()))
        .select_from(Review)
        .join(Member, Member.household_id == Review.household_id), unit, year, user) \
        .where(Member.deleted_at.is_(None), Member.merit_category.is_not(None)) \
        .group_by(*keys, Member.merit_category)
    counts: dict[tuple[int, str], int] = {}
    for *ids, category, n in db.session.execute(stmt):
        key = (child_of(ids), category)
        counts[key] = counts.get(key, 0) + n
    return counts


def categories() -> list[tuple[str, str]]:
    return db.session.execute(select(Lookup.code, Lookup.label)
                              .where(Lookup.kind == "merit_category")
                              .order_by(Lookup.sort_order, Lookup.code)).all()


def merit_categories(unit: AdminUnit | None, year: int, user=None) -> list[Table]:
    cats = categories()
    poor = poor_counts(unit, year, user) if unit else {}
    by_cat = category_counts(unit, year, user) if unit else {}
    children = child_units(unit, poor)
    columns = [Column(_("TT"), "int", 5), Column(_("Đơn vị"), "text", 24),
               Column(_("Tổng số hộ nghèo"), "int", 10), Column(_("Số hộ"), "int", 10),
               Column(_("Tỷ lệ so với tổng số hộ nghèo (%)"), "percent", 11)]
    columns += [Column(label, "int", 14) for _code, label in cats]
    groups = [[Group(None), Group(None), Group(None),
               Group(_("Hộ nghèo có người có công với cách mạng"), 2),
               Group(_("Chia theo nhóm đối tượng người có công (số hộ)"), len(cats))]] if cats else []
    rows = []
    for child in children:
        counts = poor.get(child.id, {})
        all_poor, merit = counts.get("all", 0), counts.get("merit", 0)
        rows.append([child.name, all_poor, merit, rate(merit, all_poor),
                     *[by_cat.get((child.id, code), 0) for code, _label in cats]])
    all_poor, merit = sum(r[1] for r in rows), sum(r[2] for r in rows)
    totals = ["", _("Tổng cộng"), all_poor, merit, rate(merit, all_poor),
              *[sum(r[4 + i] for r in rows) for i in range(len(cats))]]
    notes = [_("Một hộ có thành viên thuộc nhiều nhóm đối tượng được tính ở mỗi nhóm, nên tổng "
               "các nhóm có thể lớn hơn số hộ."),
             _("Hộ nghèo theo kết quả rà soát năm %(year)s đã được UBND cấp xã quyết định; nhóm "
               "đối tượng theo Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14.",
               year=year)]
    title = _("SỐ HỘ NGHÈO CÓ THÀNH VIÊN THUỘC ĐỐI TƯỢNG NGƯỜI CÓ CÔNG VỚI CÁCH MẠNG THEO "
              "NHÓM ĐỐI TƯỢNG NĂM %(year)s", year=year)
    return [Table("merit", title, columns, numbered(rows), totals, groups, notes,
                  sheet_name=_("Hộ nghèo NCC"))]
