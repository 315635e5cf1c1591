"""Writes to a case file: create, edit with version check, soft-delete, members.

Each function changes the session and records the audit row; the caller commits once, so a
failure leaves nothing half-written.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit, clock
from app.core.text import clean
from app.core.units import AdminUnit
from app.core.versioning import StaleEdit, claim_next_version  # noqa: F401  (StaleEdit: routes)
from app.extensions import db
from app.households import derived
from app.households.models import Household, Member

HOUSEHOLD_FIELDS = ("code", "hamlet_id", "address", "head_name", "is_ethnic_minority",
                    "is_female_headed", "has_no_labour_capacity", "policy_group", "note")
MEMBER_FIELDS = ("full_name", "birth_date", "birth_year", "sex", "relationship_code",
                 "ethnicity_code", "id_number", "has_disability", "disability_note",
                 "health_insurance_number", "health_insurance_expiry", "schooling_code",
                 "work_status_code", "merit_category", "merit_relation", "merit_benefit")
TEXT_FIELDS = {"code", "address", "head_name", "note", "full_name", "disability_note"}


class RefusedChange(Exception):
    """A change the rules refuse (duplicate code or CCCD, deleting the head), for `field`."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message


def _normalise(field, value):
    if field in TEXT_FIELDS:
        return clean(value)
    return value if value != "" else None


def _check_version(obj, submitted, fields, data):
    claim_next_version(obj, submitted, {f: data.get(f) for f in fields})


def refresh_derived(household: Household, members: list[Member] | None = None):
    """The household's derived columns (households.derived) from its active members."""
    members = active_members(household.id) if members is None else members
    fields = derived.household_fields(household.code, household.head_name,
                                      [(m.full_name, m.merit_category) for m in members])
    for column, value in fields.items():
        setattr(household, column, value)


def _derive_member(member: Member, household: Household):
    for column, value in derived.member_fields(member.full_name, household).items():
        setattr(member, column, value)


def active_members(household_id: int) -> list[Member]:
    return list(db.session.scalars(
        select(Member).where(Member.household_id == household_id, Member.deleted_at.is_(None))
        .order_by(Member.position, Member.id)))


def _unique_code(code: str, exclude_id: int | None = None):
    stmt = select(Household.id).where(Household.code == code)
    if exclude_id:
        stmt = stmt.where(Household.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise RefusedChange("code", _("Mã hộ này đã có trong hệ thống."))


def _unique_id_number(number: str | None, exclude_id: int | None = None):
    if not number:
        return
    stmt = select(Member.id).where(Member.id_number == number, Member.deleted_at.is_(None))
    if exclude_id:
        stmt = stmt.where(Member.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise RefusedChange("id_number", _("Số CCCD này đã thuộc một người khác trong hệ thống."))


def create_household(data: dict, hamlet: AdminUnit, head: dict) -> Household:
    """A new case and its head as first member; `head` holds the head's sex and birth year."""
    data = {f: _normalise(f, data.get(f)) for f in HOUSEHOLD_FIELDS if f in data}
    _unique_code(data["code"])
    household = Household(**{k: v for k, v in data.items() if k != "hamlet_id"})
    household.place_in(hamlet)
    # NOT NULL columns: the first insert comes before the head member, refresh_derived after.
    for column, value in derived.household_fields(household.code, household.head_name, []).items():
        setattr(household, column, value)
    db.session.add(household)
    db.session.flush()
    db.session.add(_new_member(household, {
        "full_name": household.head_name, "relationship_code": "head", **head}, position=0))
    db.session.flush()
    refresh_derived(household)
    audit.record("create", "household", household.id, after=audit.snapshot(household, HOUSEHOLD_FIELDS))
    return household


def update_household(household: Household, data: dict, hamlet: AdminUnit, version) -> Household:
    data = {f: _normalise(f, data.get(f)) for f in HOUSEHOLD_FIELDS if f in data}
    data["hamlet_id"] = hamlet.id
    _check_version(household, version, HOUSEHOLD_FIELDS, data)
    _unique_code(data["code"], exclude_id=household.id)
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    for field, value in data.items():
        if field != "hamlet_id":
            setattr(household, field, value)
    if household.hamlet_id != hamlet.id:
        household.place_in(hamlet)
    members = active_members(household.id)
    head = next((m for m in members if m.is_head), None)
    if head:
        head.full_name = household.head_name
    for member in members:
        _derive_member(member, household)
    household.updated_at = clock.utcnow()
    refresh_derived(household, members)
    audit.record("update", "household", household.id, before,
                 audit.snapshot(household, HOUSEHOLD_FIELDS))
    return household


def delete_household(household: Household, reason: str, version):
    _check_version(household, version, (), {})
    household.deleted_at, household.deleted_reason = clock.utcnow(), clean(reason)
    audit.record("delete", "household", household.id, after={"reason": household.deleted_reason})


def _new_member(household: Household, data: dict, position: int) -> Member:
    data = {f: _normalise(f, data.get(f)) for f in MEMBER_FIELDS if f in data}
    member = Member(household_id=household.id, position=position, **data)
    _derive_member(member, household)
    return member


def add_member(household: Household, data: dict) -> Member:
    _unique_id_number(data.get("id_number"))
    position = max((m.position for m in active_members(household.id)), default=-1) + 1
    member = _new_member(household, data, position)
    db.session.add(member)
    db.session.flush()
    _after_member_change(household)
    audit.record("create", "member", member.id, after=audit.snapshot(member, MEMBER_FIELDS))
    return member


def update_member(member: Member, household: Household, data: dict, version) -> Member:
    data = {f: _normalise(f, data.get(f)) for f in MEMBER_FIELDS if f in data}
    _check_version(member, version, MEMBER_FIELDS, data)
    _unique_id_number(data.get("id_number"), exclude_id=member.id)
    before = audit.snapshot(member, MEMBER_FIELDS)
    for field, value in data.items():
        setattr(member, field, value)
    _derive_member(member, household)
    member.updated_at = clock.utcnow()
    if member.is_head:
        household.head_name = member.full_name
    _after_member_change(household)
    audit.record("update", "member", member.id, before, audit.snapshot(member, MEMBER_FIELDS))
    return member


def delete_member(member: Member, household: Household, reason: str, version):
    _check_version(member, version, (), {})
    if member.is_head:
        raise RefusedChange("reason", _("Không thể xóa chủ hộ; hãy chuyển chủ hộ cho thành viên khác trước."))
    member.deleted_at, member.deleted_reason = clock.utcnow(), clean(reason)
    db.session.flush()
    _after_member_change(household)
    audit.record("delete", "member", member.id, after={"reason": member.deleted_reason})


def _after_member_change(household: Household):
    db.session.flush()
    refresh_derived(household)
    household.updated_at = clock.utcnow()
