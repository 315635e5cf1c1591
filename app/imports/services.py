"""Check and commit an import: read → validate → match → (write).

Matching: an existing household by code, else by the head's CCCD, else by the head's folded
name + birth year + hamlet → updated; otherwise created. Only households within the user's scope
are matched (scoping.scoped); a code or CCCD that exists elsewhere is refused with the same
words as the household form ("already in the system"), which confirms nothing more than the form
does. Members of a matched household are matched by CCCD, else by folded name + birth year; a
household with nothing to change is "unchanged" (skipped). The head in the file must be the head
on the case file: a change of head is made on the case file, not by an import.

`commit()` writes everything in the caller's transaction (writer.write) after a check without
errors; the caller commits once, or rolls back for a dry run."""
from dataclasses import dataclass, field

from sqlalchemy import and_, select

from app.core.i18n import N_
from app.core.scoping import scoped
from app.extensions import db
from app.imports.bulk import chunks
from app.households.models import Household, Member
from app.imports.context import Context
from app.imports.plan import ERROR, Plan
from app.imports.validate import validate
from app.reviews.models import Indicator, Review, ReviewCause, review_deprivation

REVIEW_KEYS = ("income_per_capita", "score_a", "decided_status", "decision_number", "decision_date")


@dataclass
class Existing:
    """What the database holds for the matched households, read once for the diff and the
    write — as plain rows (column attributes), not ORM objects: thousands are read at once."""
    households: dict = field(default_factory=dict)    # id → household row
    members: dict = field(default_factory=dict)       # household id → [member row]
    reviews: dict = field(default_factory=dict)       # household id → review row of the year
    indicators: dict = field(default_factory=dict)    # review id → {indicator codes}
    causes: dict = field(default_factory=dict)        # review id → [cause codes]


def check(rows, data_from, mapping, ctx: Context, user, progress=None) -> tuple[Plan, Existing]:
    plan = validate(rows, data_from, mapping, ctx, progress)
    existing = match(plan, ctx, user)
    return plan, existing


def summary(plan: Plan) -> dict:
    counts = {"households_create": 0, "households_update": 0, "households_unchanged": 0,
              "households_error": 0, "members_create": 0, "members_update": 0,
              "reviews_create": 0, "reviews_update": 0}
    for hh in plan.households:
        if hh.errors:
            counts["households_error"] += 1
            continue
        counts["households_" + hh.action] += 1
        for change in getattr(hh, "member_changes", ()):
            counts["members_" + change[0]] += 1
        if getattr(hh, "review_action", None):
            counts["reviews_" + hh.review_action] += 1
    return {"mode": plan.mode, "rows": plan.rows_read, "skipped": plan.skipped,
            "households": len(plan.households), "errors": plan.issues.errors,
            "warnings": plan.issues.warnings, "issues": sorted(   # by row, errors first
                plan.issues.items, key=lambda i: (i["r"] or 0, i["l"] != "e")), **counts}


# Matching -----------------------------------------------------------------------------------

def match(plan: Plan, ctx: Context, user) -> Existing:
    households = plan.households
    issues = plan.issues
    codes = {hh.values["household_code"] for hh in households if hh.values.get("household_code")}
    cccds = {m["id_number"] for hh in households for _, m in hh.members if m.get("id_number")}
    by_code, any_code = _by_code(codes, user)
    cccd_owner = _cccd_owners(cccds)
    visible = _visible({hid for hid, _ in cccd_owner.values()}, user)
    by_name = _by_name(households, user)
    claimed: dict[int, int] = {}
    for hh in households:
        code = hh.values.get("household_code")
        head_cccd = hh.members[0][1].get("id_number") if hh.members else None
        owner = cccd_owner.get(head_cccd)
        by_cccd = owner[0] if owner and owner[1] == "head" and owner[0] in visible else None
        found = None
        if code:
            found = by_code.get(code)
            if found is None and code in any_code:
                _error(hh, issues, hh.row, "household_code", N_("Mã hộ này đã có trong hệ thống."))
        elif by_cccd:
            found = by_cccd
        elif hh.members:
            head = hh.members[0][1]
            key = (head["name_folded"], head.get("birth_year"), hh.values.get("hamlet_id"))
            candidates = by_name.get(key, [])
            if len(candidates) > 1:
                _error(hh, issues, hh.row, "head_name", N_(
                    "Có %(n)s hộ cùng họ tên chủ hộ, năm sinh và thôn trong hệ thống; hãy thêm cột "
                    "mã hộ để chọn đúng hộ."), n=len(candidates))
            elif candidates:
                found = candidates[0]
        if found is not None:
            if found in claimed:
                _error(hh, issues, hh.row, "household_code", N_(
                    "Dòng này và dòng %(row)s cùng khớp với một hộ trong hệ thống."), row=claimed[found])
            claimed.setdefault(found, hh.row)
            hh.action, hh.existing_id = "update", found
    existing = _load(claimed)
    load_reviews(existing, ctx.options.year)
    for hh in households:
        _members(hh, existing, cccd_owner, issues)
        _review_change(hh, existing, issues)
        if hh.action == "update" and not _changes(hh, existing):
            hh.action = "unchanged"
    return existing


def _error(hh, issues, line, name, message, **args):
    hh.errors = True
    issues.error(line, name, message, **args)


def _by_code(codes, user):
    found, anywhere = {}, set()
    for part in chunks(codes):
        anywhere.update(db.session.scalars(select(Household.code).where(Household.code.in_(part))))
        found.update({code: hid for hid, code in db.session.execute(
            scoped(select(Household.id, Household.code).where(Household.code.in_(part)),
                   Household, user))})
    return found, anywhere


def _cccd_owners(cccds) -> dict[str, tuple[int, str]]:
    """CCCD → (household id, relationship) of the active member holding it, anywhere (the
    household form's rule: one CCCD, one active member)."""
    owners = {}
    for part in chunks(cccds):
        for number, hid, relation in db.session.execute(
                select(Member.id_number, Member.household_id, Member.relationship_code)
                .where(Member.id_number.in_(part), Member.deleted_at.is_(None))):
            owners[number] = (hid, relation)
    return owners


def _visible(household_ids, user) -> set[int]:
    seen = set()
    for part in chunks(household_ids):
        seen.update(db.session.scalars(scoped(select(Household.id).where(Household.id.in_(part)),
                                              Household, user)))
    return seen


def _by_name(households, user) -> dict[tuple, list[int]]:
    """(folded head name, head birth year, hamlet) → ids of the households in scope, for the
    file's households that have neither code nor a head CCCD matched."""
    names = {hh.members[0][1]["name_folded"] for hh in households
             if hh.members and not hh.values.get("household_code")}
    found: dict[tuple, list[int]] = {}
    for part in chunks(names):
        stmt = scoped(select(Household.id, Household.head_name_folded, Member.birth_year,
                             Household.hamlet_id)
                      .join(Member, and_(Member.household_id == Household.id,
                                         Member.relationship_code == "head",
                                         Member.deleted_at.is_(None)))
                      .where(Household.head_name_folded.in_(part)), Household, user)
        for hid, name, year, hamlet_id in db.session.execute(stmt):
            found.setdefault((name, year, hamlet_id), []).append(hid)
    return found


def _load(claimed) -> Existing:
    existing = Existing()
    H, M = Household.__table__, Member.__table__
    for part in chunks(list(claimed)):
        existing.households.update({h.id: h for h in db.session.execute(
            select(H).where(H.c.id.in_(part)))})
        for m in db.session.execute(select(M).where(M.c.household_id.in_(part),
                                                    M.c.deleted_at.is_(None))
                                    .order_by(M.c.position, M.c.id)):
            existing.members.setdefault(m.household_id, []).append(m)
    return existing


def load_reviews(existing: Existing, year: int):
    R = Review.__table__
    for part in chunks(existing.households):
        rows = db.session.execute(select(R).where(R.c.household_id.in_(part), R.c.year == year)).all()
        existing.reviews.update({r.household_id: r for r in rows})
        ids = [r.id for r in rows]
        for review_id, code in db.session.execute(
                select(review_deprivation.c.review_id, Indicator.code)
                .join(Indicator, Indicator.id == review_deprivation.c.indicator_id)
                .where(review_deprivation.c.review_id.in_(ids))):
            existing.indicators.setdefault(review_id, set()).add(code)
        for review_id, code in db.session.execute(
                select(ReviewCause.review_id, ReviewCause.cause_code)
                .where(ReviewCause.review_id.in_(ids))):
            existing.causes.setdefault(review_id, []).append(code)


def _members(hh, existing: Existing, cccd_owner, issues):
    """Pair each member in the file with a member on the case file (or none: a new member)."""
    hh.member_changes = []
    current = existing.members.get(hh.existing_id, []) if hh.action == "update" else []
    by_cccd = {m.id_number: m for m in current if m.id_number}
    by_person = {(m.name_folded, m.birth_year): m for m in current}
    used = set()
    for index, (row, m) in enumerate(hh.members):
        number = m.get("id_number")
        found = by_cccd.get(number) if number else None
        if found is None:
            found = by_person.get((m["name_folded"], m.get("birth_year")))
            if found is not None and number and found.id_number and found.id_number != number:
                found = None
        if number and found is None and number in cccd_owner:
            _error(hh, issues, row, "id_number", N_("Số CCCD này đã thuộc một người khác trong hệ thống."))
        if found is not None and found.id in used:
            found = None
        is_head = m.get("relationship_code") == "head"
        if hh.action == "update" and is_head and (found is None or found.relationship_code != "head"):
            head = next((c for c in current if c.relationship_code == "head"), None)
            _error(hh, issues, row, "head_name", N_(
                "Chủ hộ trong tệp (%(given)s) khác chủ hộ trong hồ sơ (%(current)s); hãy đổi chủ hộ "
                "trên hồ sơ hộ trước khi nhập."), given=m["full_name"],
                current=head.full_name if head else "—")
        if found is None:
            hh.member_changes.append(("create", row, m, None))
            continue
        used.add(found.id)
        changed = {k: v for k, v in m.items() if getattr(found, k) != v}
        if changed:
            hh.member_changes.append(("update", row, changed, found))


def _review_change(hh, existing: Existing, issues):
    hh.review_action = None
    if hh.review is None:
        return
    current = existing.reviews.get(hh.existing_id) if hh.action == "update" else None
    if current is None:
        hh.review_action = "create"
        return
    r = hh.review
    new = {"income_per_capita": r["income"], "score_a": r["score_a"],
           "decided_status": r["decided"] or current.decided_status,
           "decision_number": r["decision_number"] or current.decision_number,
           "decision_date": r["decision_date"] or current.decision_date}
    same = all(getattr(current, k) == new[k] for k in REVIEW_KEYS) and \
        existing.indicators.get(current.id, set()) == set(r["codes"]) and \
        (not r["causes"] or set(existing.causes.get(current.id, [])) == set(r["causes"]))
    if not same:
        hh.review_action = "update"
        issues.warning(hh.row, "status", N_("Hộ đã có kết quả rà soát năm %(year)s: sẽ được cập "
                                            "nhật theo tệp."), year=r["year"])


HOUSEHOLD_COLUMNS = ("household_code", "hamlet_id", "address", "is_ethnic_minority",
                     "is_female_headed", "has_no_labour_capacity", "policy_group", "note")


def household_changes(hh, existing: Existing) -> dict:
    """Household columns the file changes (names as on the model)."""
    current = existing.households[hh.existing_id]
    changes = {}
    for key in HOUSEHOLD_COLUMNS:
        if key in hh.values:
            column = "code" if key == "household_code" else key
            if getattr(current, column) != hh.values[key]:
                changes[column] = hh.values[key]
    return changes


def _changes(hh, existing: Existing) -> bool:
    return bool(household_changes(hh, existing) or hh.member_changes or hh.review_action)


def has_errors(plan: Plan) -> bool:
    return plan.issues.errors > 0 or any(i["l"] == ERROR for i in plan.issues.items)
