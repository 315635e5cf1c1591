"""Writes to the sponsor directory and to assignments. Each function changes the session and
records the audit row; the caller commits once. Assignments are history: they are ended with a
reason, never deleted or rewritten."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.core import audit, clock
from app.core.text import clean, fold
from app.core.units import AdminUnit
from app.core.versioning import StaleEdit, claim_next_version  # noqa: F401  (StaleEdit: routes)
from app.extensions import db
from app.sponsors.models import Assignment, Sponsor

SPONSOR_FIELDS = ("name", "kind", "contact_person", "phone", "email", "address", "home_unit_id",
                  "is_active")
ASSIGNMENT_FIELDS = ("sponsor_id", "household_id", "starts_on", "ends_on", "commitment",
                     "end_reason")
SCOPE_COLUMNS = ("province_id", "district_id", "commune_id", "hamlet_id")


class AssignmentRefused(Exception):
    """A change the rules refuse, reported on `field` of the form."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message


def save_sponsor(sponsor: Sponsor | None, data: dict, home_unit: AdminUnit) -> Sponsor:
    """Create (sponsor None) or update a sponsor of the directory."""
    before = audit.snapshot(sponsor, SPONSOR_FIELDS) if sponsor else None
    if sponsor is None:
        sponsor = Sponsor()
        db.session.add(sponsor)
    sponsor.name = clean(data["name"])
    sponsor.name_folded = fold(sponsor.name)
    sponsor.kind = data["kind"]
    for f in ("contact_person", "phone", "email", "address"):
        setattr(sponsor, f, clean(data.get(f)))
    sponsor.is_active = bool(data.get("is_active", True))
    sponsor.home_unit_id = home_unit.id
    sponsor.province_id = home_unit.ancestor_ids[0]
    db.session.flush()
    after = audit.snapshot(sponsor, SPONSOR_FIELDS)
    audit.record("update" if before else "create", "sponsor", sponsor.id, before, after)
    return sponsor


def assign(household, sponsor: Sponsor, starts_on: date, commitment: str, user) -> Assignment:
    """The sponsor adopts the household from `starts_on`. One open assignment per pair."""
    if not sponsor.is_active:
        raise AssignmentRefused("sponsor_id", _("Nhà tài trợ này đã ngừng hoạt động."))
    overlapping = db.session.scalar(select(Assignment.id).where(
        Assignment.sponsor_id == sponsor.id, Assignment.household_id == household.id,
        or_(Assignment.ends_on.is_(None), Assignment.ends_on >= starts_on)))
    if overlapping is not None:
        raise AssignmentRefused("sponsor_id", _("Nhà tài trợ này đang đỡ đầu hộ (hoặc đã được "
                                                "giao trong khoảng thời gian này)."))
    assignment = Assignment(sponsor_id=sponsor.id, household_id=household.id, starts_on=starts_on,
                            commitment=clean(commitment), created_by_id=getattr(user, "id", None),
                            **{c: getattr(household, c) for c in SCOPE_COLUMNS})
    db.session.add(assignment)
    db.session.flush()
    audit.record("create", "sponsor_assignment", assignment.id,
                 after=audit.snapshot(assignment, ASSIGNMENT_FIELDS))
    return assignment


def end_assignment(assignment: Assignment, ends_on: date, reason: str, version) -> Assignment:
    """Close the assignment: `ends_on` is its last day (the sponsor loses access the day after).
    A planned assignment that has not started yet may be cancelled with any past date."""
    before = audit.snapshot(assignment, ASSIGNMENT_FIELDS)
    claim_next_version(assignment, version, {"ends_on": ends_on, "end_reason": reason})
    if assignment.ends_on is not None:
        raise AssignmentRefused("reason", _("Phân công này đã kết thúc."))
    if assignment.starts_on <= clock.today() and ends_on < assignment.starts_on:
        raise AssignmentRefused("ends_on", _("Ngày kết thúc không được trước ngày bắt đầu (%(d)s).",
                                             d=assignment.starts_on.strftime("%d/%m/%Y")))
    assignment.ends_on = ends_on
    assignment.end_reason = clean(reason)
    audit.record("update", "sponsor_assignment", assignment.id, before,
                 audit.snapshot(assignment, ASSIGNMENT_FIELDS))
    return assignment
