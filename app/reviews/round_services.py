"""Writes of a commune's review round: open the round, record hamlet meetings and household
review requests. Meetings and requests are append-only records. The caller commits once."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit, clock
from app.core.text import clean
from app.core.units import COMMUNE, HAMLET, AdminUnit
from app.extensions import db
from app.households.models import Household
from app.reviews.models import HamletMeeting, ReviewRequest, ReviewRound

ROUND_FIELDS = ("commune_id", "year", "starts_on", "ends_on", "note")
MEETING_FIELDS = ("round_id", "hamlet_id", "held_on", "attendance", "agreeing",
                  "front_supervised", "note")
REQUEST_FIELDS = ("household_id", "year", "requested_on", "reason")


class RefusedChange(Exception):
    """A write the rules refuse, with the form field to show the message on."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def refuse_future(field: str, day: date):
    """What happened in the round cannot be dated after today (Vietnam's)."""
    if day > clock.today():
        raise RefusedChange(field, _("Ngày không được ở tương lai."))


def round_exists(commune_id: int, year: int) -> bool:
    return db.session.scalar(select(ReviewRound.id).where(
        ReviewRound.commune_id == commune_id, ReviewRound.year == year)) is not None


def create_round(commune: AdminUnit, year: int, starts_on: date | None = None,
                 ends_on: date | None = None, note: str = "") -> ReviewRound:
    if commune is None or commune.level != COMMUNE:
        raise ValueError("a review round belongs to a commune")
    if round_exists(commune.id, year):
        raise RefusedChange("year", _("%(commune)s đã có đợt rà soát năm %(year)s.",
                                      commune=commune.name, year=year))
    round_ = ReviewRound(year=year, starts_on=starts_on, ends_on=ends_on, note=clean(note))
    lineage = commune.lineage()
    round_.province_id, round_.district_id = lineage["province"], lineage["district"]
    round_.commune_id = commune.id
    db.session.add(round_)
    db.session.flush()
    audit.record("create", "review_round", round_.id, after=audit.snapshot(round_, ROUND_FIELDS))
    return round_


def record_meeting(round_: ReviewRound, hamlet: AdminUnit, held_on: date, attendance: int,
                   agreeing: int, front_supervised: bool, note: str, user) -> HamletMeeting:
    # The form offers only the round's hamlets; this is the rule, not just the form.
    if hamlet is None or hamlet.level != HAMLET or hamlet.parent_id != round_.commune_id:
        raise RefusedChange("hamlet_id", _("Thôn này không thuộc xã của đợt rà soát."))
    if attendance is None or attendance < 1:
        raise RefusedChange("attendance", _("Số người dự phải lớn hơn 0."))
    if agreeing is None or agreeing < 0 or agreeing > attendance:
        raise RefusedChange("agreeing", _("Số người đồng ý không được lớn hơn số người dự."))
    refuse_future("held_on", held_on)
    meeting = HamletMeeting(round_id=round_.id, hamlet_id=hamlet.id, held_on=held_on,
                            attendance=attendance, agreeing=agreeing,
                            front_supervised=bool(front_supervised), note=clean(note),
                            recorded_by_id=getattr(user, "id", None))
    db.session.add(meeting)
    db.session.flush()
    audit.record("create", "hamlet_meeting", meeting.id,
                 after=audit.snapshot(meeting, MEETING_FIELDS))
    return meeting


def record_request(round_: ReviewRound, household: Household, requested_on: date, reason: str,
                   user) -> ReviewRequest:
    if household is None or household.commune_id != round_.commune_id or household.deleted_at:
        raise RefusedChange("household_code", _("Không tìm thấy hộ có mã này trong địa bàn"))
    refuse_future("requested_on", requested_on)
    request = ReviewRequest(household_id=household.id, year=round_.year,
                            requested_on=requested_on, reason=clean(reason),
                            recorded_by_id=getattr(user, "id", None))
    for column in ("province_id", "district_id", "commune_id", "hamlet_id"):
        setattr(request, column, getattr(household, column))
    db.session.add(request)
    db.session.flush()
    audit.record("create", "review_request", request.id,
                 after=audit.snapshot(request, REQUEST_FIELDS))
    return request
