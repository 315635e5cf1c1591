"""The household list as a workbook: the same query as /households/ (households.queries:
scope, search, filters, sort), every matching row, streamed from the database into openpyxl's
write-only sheet (constant memory whatever the size).

Columns and filters follow the role (core.sensitive): ethnicity and the head's CCCD (masked like
on screen) only for the officers who may see sensitive data — not for mass organisations, whose
ethnicity filter ListParams.from_args has already dropped; sponsors never reach this export."""

from flask_babel import gettext as _
from sqlalchemy import and_, func, null, select
from sqlalchemy.orm import aliased

from app.core import clock, lookups, sensitive
from app.core.excel import Column, Sheet
from app.core.text import format_date, format_number, mask_id
from app.core.units import AdminUnit
from app.extensions import db
from app.households.models import Household, Member
from app.households.queries import (FLAG_LABELS, SORTS, STANDING_FILTERS, ListParams,
                                   household_query)
from app.reviews.labels import STATUS_LABELS, TRANSITION_LABELS
from app.reviews.rules import standing

YES = "x"
BATCH = 2000


def _unit_names(user) -> dict[int, str]:
    unit = getattr(user, "unit", None)
    if unit is None:
        return {}
    return dict(db.session.execute(select(AdminUnit.id, AdminUnit.name)
                                   .where(AdminUnit.path.startswith(unit.path, autoescape=True))).all())


def describe_filters(params: ListParams, names: dict[int, str]) -> str:
    parts = []
    if params.q:
        parts.append(_("tìm “%(q)s”", q=params.q))
    if params.commune:
        parts.append(names.get(params.commune, _("xã ngoài địa bàn")))
    if params.hamlet:
        parts.append(names.get(params.hamlet, _("thôn ngoài địa bàn")))
    if params.status:
        parts.append(_(STANDING_FILTERS[params.status]))
    if params.transition:
        parts.append(_(TRANSITION_LABELS[params.transition]))
    if params.year:
        parts.append(_("năm %(year)s", year=params.year))
    if params.poor_years:
        parts.append(_("nghèo liên tục từ %(n)s năm", n=params.poor_years))
    parts += [_(FLAG_LABELS[f]) for f in params.flags]
    return "; ".join(parts) if parts else _("tất cả các hộ")


def export_query(params: ListParams, user, sees_sensitive: bool = False):
    """The list's query (scope, filters, sort) with the exported fields: one row per
    household, its head's particulars joined, its members counted. The head's CCCD and
    the ethnicity are not even read unless the role may see them."""
    head = aliased(Member)
    persons = (select(func.count(Member.id))
               .where(Member.household_id == Household.id, Member.deleted_at.is_(None))
               .correlate(Household).scalar_subquery())
    fields = [Household.code, Household.head_name, head.birth_year, head.sex,
              head.id_number if sees_sensitive else null(),
              head.ethnicity_code if sees_sensitive else null(),
              Household.hamlet_id, Household.commune_id, Household.address,
              persons, Household.status, Household.status_year, Household.exit_year,
              Household.poor_since, Household.last_transition, Household.has_merit_member,
              Household.is_ethnic_minority if sees_sensitive else null(),
              Household.is_female_headed, Household.has_no_labour_capacity, Household.policy_group]
    return (household_query(params, user)
            .outerjoin(head, and_(head.household_id == Household.id,
                                  head.relationship_code == "head", head.deleted_at.is_(None)))
            .with_only_columns(*fields)
            .order_by(*SORTS[params.sort]))


def export_sheet(params: ListParams, user) -> Sheet:
    sees_sensitive = sensitive.sees_sensitive(user)
    above_commune = getattr(getattr(user, "unit", None), "level", None) not in (None, "commune")
    names = _unit_names(user)
    stmt = export_query(params, user, sees_sensitive)

    columns = [Column(_("STT"), "int", 7), Column(_("Mã hộ"), "text", 13),
               Column(_("Họ và tên chủ hộ"), "text", 24), Column(_("Năm sinh"), "year", 8),
               Column(_("Giới tính"), "text", 7)]
    if sees_sensitive:
        columns += [Column(_("Số CCCD chủ hộ"), "text", 15), Column(_("Dân tộc"), "text", 10)]
    columns += [Column(_("Thôn/tổ"), "text", 16)]
    if above_commune:
        columns += [Column(_("Xã/phường"), "text", 18)]
    columns += [Column(_("Địa chỉ"), "text", 20), Column(_("Số nhân khẩu"), "int", 9),
                Column(_("Phân loại"), "text", 16), Column(_("Năm quyết định"), "year", 9),
                Column(_("Nghèo liên tục từ năm"), "year", 9), Column(_("Năm thoát"), "year", 8),
                Column(_("Biến động gần nhất"), "text", 15), Column(_("Có người có công"), "text", 8)]
    if sees_sensitive:
        columns += [Column(_("Dân tộc thiểu số"), "text", 8)]
    columns += [Column(_("Phụ nữ làm chủ hộ"), "text", 8),
                Column(_("Không còn khả năng lao động"), "text", 10),
                Column(_("Nhóm chính sách"), "text", 22)]

    this_year = clock.today().year
    statuses = {k: _(v) for k, v in STATUS_LABELS.items()}
    transitions = {k: _(v) for k, v in TRANSITION_LABELS.items()}
    policy = lookups.labels("policy_group")
    ethnicity = lookups.labels("ethnicity") if sees_sensitive else {}
    sexes = {"M": _("Nam"), "F": _("Nữ")}
    unreviewed = _("Chưa rà soát")
    tally = {"households": 0, "persons": 0}

    def rows():
        result = db.session.execute(stmt.execution_options(yield_per=BATCH))
        for n, (code, head_name, birth_year, sex, id_number, ethnicity_code, hamlet_id,
                commune_id, address, count, status, status_year, exit_year, poor_since,
                last_transition, merit, minority, female, no_labour, group) in enumerate(result, 1):
            tally["persons"] += count or 0
            tally["households"] = n
            row = [n, code, head_name, birth_year, sexes.get(sex, "")]
            if sees_sensitive:
                row += [mask_id(id_number), ethnicity.get(ethnicity_code, "")]
            row.append(names.get(hamlet_id, ""))
            if above_commune:
                row.append(names.get(commune_id, ""))
            now = standing(status, exit_year, this_year)
            row += [address, count, statuses.get(now, unreviewed) if now else unreviewed,
                    status_year, poor_since, exit_year, transitions.get(last_transition, ""),
                    YES if merit else ""]
            if sees_sensitive:
                row.append(YES if minority else "")
            row += [YES if female else "", YES if no_labour else "", policy.get(group, "")]
            yield row

    def totals():
        line = [None] * len(columns)
        line[1] = _("Tổng cộng")
        line[2] = _("%(n)s hộ", n=format_number(tally["households"]))
        line[[c.heading for c in columns].index(_("Số nhân khẩu"))] = tally["persons"]
        return line

    unit = getattr(user, "unit", None)
    heading = [_("DANH SÁCH HỘ GIA ĐÌNH"),
               _("Đơn vị: %(unit)s", unit=unit.full_name() if unit else "—"),
               _("Điều kiện lọc: %(filters)s", filters=describe_filters(params, names)),
               _("Xuất ngày %(when)s, người xuất: %(who)s", when=format_date(clock.utcnow()),
                 who=getattr(user, "full_name", "") or getattr(user, "username", ""))]
    notes = [_("Các cột “x”: có đặc điểm đó. Phân loại theo kết quả rà soát được quyết định "
               "gần nhất.")]
    if sees_sensitive:
        notes.append(_("Tài liệu có dữ liệu cá nhân nhạy cảm (Luật Bảo vệ dữ liệu cá nhân): chỉ "
                       "dùng cho công tác giảm nghèo, không chia sẻ ra ngoài."))
    return Sheet(_("Danh sách hộ"), heading, columns, rows(), totals, notes)
