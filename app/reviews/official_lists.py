"""The official lists a round's decision produces, per commune and hamlet: hộ nghèo, hộ cận
nghèo, hộ thoát nghèo, hộ thoát cận nghèo, hộ mới thoát nghèo — for the lists of the year the
round identifies (rules.list_year).

Built from what the decision writes on each review (decided status, decision number and date,
the derived transition), so a household decided on its own form is listed as one decided
through the round's decision. "Mới thoát nghèo" is read from the decided reviews up to the
round's year with the same rules as the case file (rules.path / rules.standing). A list shows
what a posted list shows: code, head, hamlet, address, status; the head's ethnicity only for a
role that sees sensitive data (core.sensitive)."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import lookups
from app.core.excel import Column, Sheet
from app.core.i18n import N_
from app.core.scoping import scoped
from app.core.sensitive import sees_sensitive
from app.core.units import AdminUnit
from app.extensions import db
from app.households.models import Household, Member
from app.reviews import rules
from app.reviews.forms import STATUS_CHOICES
from app.reviews.models import Review, ReviewRound
from app.reviews.round_decision import decision_of
from app.reviews.round_queries import commune_hamlets

POOR, NEAR_POOR, ESCAPED, ESCAPED_NEAR, NEWLY_ESCAPED = (
    "poor", "near_poor", "escaped", "escaped_near", "newly_escaped")
# kind → (tab label, title of the printed list)
KINDS = {
    POOR: (N_("Hộ nghèo"), N_("DANH SÁCH HỘ NGHÈO NĂM %(year)s")),
    NEAR_POOR: (N_("Hộ cận nghèo"), N_("DANH SÁCH HỘ CẬN NGHÈO NĂM %(year)s")),
    ESCAPED: (N_("Hộ thoát nghèo"), N_("DANH SÁCH HỘ THOÁT NGHÈO NĂM %(year)s")),
    ESCAPED_NEAR: (N_("Hộ thoát cận nghèo"), N_("DANH SÁCH HỘ THOÁT CẬN NGHÈO NĂM %(year)s")),
    NEWLY_ESCAPED: (N_("Hộ mới thoát nghèo"), N_("DANH SÁCH HỘ MỚI THOÁT NGHÈO NĂM %(year)s")),
}


@dataclass
class Entry:
    """One household on a list."""
    household: Household
    hamlet_id: int
    status: str                      # its decided status at the round's year (or latest)
    before: str | None = None        # the status it left (transition lists)
    exit_list_year: int | None = None
    ethnicity: str = ""


@dataclass
class OfficialLists:
    round: ReviewRound
    list_year: int
    decision: object | None                      # the round's RoundDecision
    references: list[tuple[str, date | None]]   # decision number/date of the year's reviews
    hamlets: dict[int, AdminUnit]
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    with_ethnicity: bool = False

    def rows(self, kind: str, hamlet_id: int | None = None) -> list[Entry]:
        return [e for e in self.entries[kind] if hamlet_id is None or e.hamlet_id == hamlet_id]


def _histories(round_: ReviewRound, user):
    """Per household of the round's commune: its decided reviews up to the round's year."""
    stmt = scoped(select(Review.household_id, Review.year, Review.decided_status,
                         Review.transition, Review.hamlet_id, Review.decision_number,
                         Review.decision_date), Review, user).where(
        Review.commune_id == round_.commune_id, Review.decided_status.is_not(None),
        Review.year <= round_.year).order_by(Review.household_id, Review.year)
    histories: dict[int, list] = {}
    for row in db.session.execute(stmt):
        histories.setdefault(row.household_id, []).append(row)
    return histories


def build(round_: ReviewRound, user=None) -> OfficialLists:
    year, list_year = round_.year, rules.list_year(round_.year)
    histories = _histories(round_, user)
    entries = {kind: [] for kind in KINDS}
    placed = []   # (kind, household_id, entry fields)
    references = {}
    for household_id, history in histories.items():
        latest = history[-1]
        this = latest if latest.year == year else None
        if this is not None:
            references.setdefault((this.decision_number, this.decision_date), None)
            previous = history[-2].decided_status if len(history) > 1 else None
            if this.decided_status in (POOR, NEAR_POOR):
                placed.append((this.decided_status, household_id, latest, None, None))
            if this.transition in (rules.ESCAPED, rules.ESCAPED_NEAR):
                kind = ESCAPED if this.transition == rules.ESCAPED else ESCAPED_NEAR
                placed.append((kind, household_id, latest, previous, None))
        path = rules.path([(r.year, r.decided_status) for r in history])
        if rules.standing(path.status, path.exit_year, list_year) == "newly_escaped":
            placed.append((NEWLY_ESCAPED, household_id, latest, None,
                           rules.list_year(path.exit_year)))
    households = _households({p[1] for p in placed}, user)
    with_ethnicity = sees_sensitive(user)
    ethnicity = _head_ethnicity(households) if with_ethnicity else {}
    for kind, household_id, latest, before, exit_list_year in placed:
        household = households.get(household_id)
        if household is None:   # deleted since, or outside the user's scope
            continue
        entries[kind].append(Entry(household, latest.hamlet_id, latest.decided_status, before,
                                   exit_list_year, ethnicity.get(household_id, "")))
    hamlets = {h.id: h for h in db.session.scalars(select(AdminUnit).where(
        AdminUnit.id.in_({e.hamlet_id for rows in entries.values() for e in rows}
                         | {h.id for h in commune_hamlets(round_.commune_id)})))}
    for rows in entries.values():
        rows.sort(key=lambda e: (hamlets[e.hamlet_id].name, e.household.head_name_folded,
                                 e.household.code))
    decision = decision_of(round_)
    refs = [(n, d) for n, d in references if n]
    if decision is not None:
        refs = [(decision.number, decision.decided_on)] + [
            r for r in refs if r != (decision.number, decision.decided_on)]
    return OfficialLists(round_, list_year, decision, list(dict.fromkeys(refs)),
                         hamlets, entries, with_ethnicity)


def _households(ids, user) -> dict[int, Household]:
    if not ids:
        return {}
    return {h.id: h for h in db.session.scalars(
        scoped(select(Household), Household, user).where(Household.id.in_(ids)))}


def _head_ethnicity(households: dict[int, Household]) -> dict[int, str]:
    if not households:
        return {}
    labels = lookups.labels("ethnicity")
    rows = db.session.execute(select(Member.household_id, Member.ethnicity_code).where(
        Member.household_id.in_(households), Member.relationship_code == "head",
        Member.deleted_at.is_(None)))
    return {hid: labels.get(code, code) for hid, code in rows if code}


# One table for the page and the workbook ----------------------------------------------------

def columns(kind: str, with_ethnicity: bool) -> list[Column]:
    cols = [Column(_("STT"), "int", 6), Column(_("Mã hộ"), "text", 14),
            Column(_("Họ và tên chủ hộ"), "text", 28)]
    if with_ethnicity:
        cols.append(Column(_("Dân tộc"), "text", 12))
    cols += [Column(_("Thôn/tổ"), "text", 18), Column(_("Địa chỉ"), "text", 28)]
    if kind in (ESCAPED, ESCAPED_NEAR):
        cols.append(Column(_("Phân loại trước"), "text", 16))
    if kind == NEWLY_ESCAPED:
        cols.append(Column(_("Thoát nghèo từ năm"), "year", 12))
    cols.append(Column(_("Phân loại"), "text", 22))
    return cols


def table_rows(lists: OfficialLists, kind: str, hamlet_id: int | None = None) -> list[tuple]:
    labels = {code: str(label) for code, label in STATUS_CHOICES}
    out = []
    for n, e in enumerate(lists.rows(kind, hamlet_id), start=1):
        row = [n, e.household.code, e.household.head_name]
        if lists.with_ethnicity:
            row.append(e.ethnicity)
        row += [lists.hamlets[e.hamlet_id].name, e.household.address or ""]
        if kind in (ESCAPED, ESCAPED_NEAR):
            row.append(labels.get(e.before, ""))
        if kind == NEWLY_ESCAPED:
            row.append(e.exit_list_year)
        row.append(labels.get(e.status, e.status))
        out.append(tuple(row))
    return out


def unit_heading(lists: OfficialLists) -> str:
    return "UBND " + lists.round.commune.name.upper()


def title(lists: OfficialLists, kind: str) -> str:
    return _(KINDS[kind][1], year=lists.list_year)


def reference_line(lists: OfficialLists) -> str:
    if not lists.references:
        return _("(Chưa có quyết định công nhận của UBND xã)")
    parts = [_("Quyết định số %(number)s ngày %(date)s", number=n,
               date=d.strftime("%d/%m/%Y") if d else "…") for n, d in lists.references]
    return _("(Kèm theo %(decisions)s của %(unit)s)", decisions="; ".join(parts),
             unit=unit_heading(lists))


def sheet(lists: OfficialLists, kind: str, hamlet: AdminUnit | None) -> Sheet:
    place = hamlet.name + ", " if hamlet else ""
    return Sheet(
        title=str(KINDS[kind][0]),
        heading_lines=[unit_heading(lists), _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                       _("Độc lập - Tự do - Hạnh phúc"), title(lists, kind),
                       place + lists.round.commune.full_name(), reference_line(lists)],
        columns=columns(kind, lists.with_ethnicity),
        rows=table_rows(lists, kind, hamlet.id if hamlet else None),
        notes=["", _("TM. ỦY BAN NHÂN DÂN"), _("CHỦ TỊCH"), _("(Ký tên, đóng dấu)")])
