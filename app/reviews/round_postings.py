"""Public posting (niêm yết) of a hamlet's review results, and the complaints received during
it. A posting and a complaint are records: never edited, never deleted; a complaint gets its
resolution once. The caller loads the round through its scope, and the posting or complaint
through the round (`posting_of`, `complaint_of`), and commits once."""
from datetime import date

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core import audit
from app.core.text import clean
from app.core.units import HAMLET, AdminUnit
from app.extensions import db
from app.reviews.models import HamletMeeting, ReviewRound
from app.reviews.round_models import PostingComplaint, RoundPosting
from app.reviews.round_services import RefusedChange, refuse_future

POSTING_FIELDS = ("round_id", "hamlet_id", "place", "posted_from", "posted_to",
                  "front_supervised", "note")
COMPLAINT_FIELDS = ("posting_id", "received_on", "complainant", "content", "resolution",
                    "resolved_on")


def round_postings(round_: ReviewRound) -> list[RoundPosting]:
    return db.session.scalars(select(RoundPosting).where(RoundPosting.round_id == round_.id)
                              .order_by(RoundPosting.posted_from, RoundPosting.id)).unique().all()


def posting_of(round_: ReviewRound, posting_id: int) -> RoundPosting:
    """A posting of this round, else 404 (another commune's posting under one's own round)."""
    posting = db.session.scalar(select(RoundPosting).where(RoundPosting.id == posting_id,
                                                           RoundPosting.round_id == round_.id))
    if posting is None:
        abort(404)
    return posting


def complaint_of(round_: ReviewRound, complaint_id: int) -> PostingComplaint:
    complaint = db.session.scalar(
        select(PostingComplaint).join(RoundPosting)
        .where(PostingComplaint.id == complaint_id, RoundPosting.round_id == round_.id))
    if complaint is None:
        abort(404)
    return complaint


def _latest_meeting(round_: ReviewRound, hamlet_id: int) -> HamletMeeting | None:
    return db.session.scalar(select(HamletMeeting).where(
        HamletMeeting.round_id == round_.id, HamletMeeting.hamlet_id == hamlet_id)
        .order_by(HamletMeeting.held_on.desc(), HamletMeeting.id.desc()).limit(1))


def record_posting(round_: ReviewRound, hamlet: AdminUnit, place: str, posted_from: date,
                   posted_to: date, front_supervised: bool, note: str, user) -> RoundPosting:
    """Posting follows a hamlet meeting that passed: results not agreed are not posted."""
    if hamlet is None or hamlet.level != HAMLET or hamlet.parent_id != round_.commune_id:
        raise RefusedChange("hamlet_id", _("Thôn này không thuộc xã của đợt rà soát."))
    meeting = _latest_meeting(round_, hamlet.id)
    if meeting is None or not meeting.passed:
        raise RefusedChange("hamlet_id", _("Thôn chưa có cuộc họp bình xét được quá nửa số người "
                                           "dự đồng ý: chưa thể niêm yết."))
    if posted_from < meeting.held_on:
        raise RefusedChange("posted_from", _("Ngày niêm yết không được trước ngày họp thôn (%(date)s).",
                                             date=f"{meeting.held_on:%d/%m/%Y}"))
    refuse_future("posted_from", posted_from)
    if posted_to < posted_from:
        raise RefusedChange("posted_to", _("Ngày kết thúc niêm yết phải từ ngày bắt đầu trở đi."))
    posting = RoundPosting(round_id=round_.id, hamlet_id=hamlet.id, place=clean(place),
                           posted_from=posted_from, posted_to=posted_to,
                           front_supervised=bool(front_supervised), note=clean(note),
                           recorded_by_id=getattr(user, "id", None))
    db.session.add(posting)
    db.session.flush()
    audit.record("create", "round_posting", posting.id, after=audit.snapshot(posting, POSTING_FIELDS))
    return posting


def record_complaint(posting: RoundPosting, received_on: date, complainant: str, content: str,
                     user) -> PostingComplaint:
    if received_on < posting.posted_from:
        raise RefusedChange("received_on", _("Ngày nhận không được trước ngày bắt đầu niêm yết (%(date)s).",
                                             date=f"{posting.posted_from:%d/%m/%Y}"))
    refuse_future("received_on", received_on)
    complaint = PostingComplaint(posting_id=posting.id, received_on=received_on,
                                 complainant=clean(complainant), content=clean(content),
                                 recorded_by_id=getattr(user, "id", None))
    db.session.add(complaint)
    db.session.flush()
    audit.record("create", "posting_complaint", complaint.id,
                 after=audit.snapshot(complaint, COMPLAINT_FIELDS))
    return complaint


def resolve_complaint(complaint: PostingComplaint, resolved_on: date, resolution: str,
                      user) -> PostingComplaint:
    if not complaint.is_open:
        raise RefusedChange("resolution", _("Khiếu nại này đã được giải quyết."))
    if resolved_on < complaint.received_on:
        raise RefusedChange("resolved_on", _("Ngày giải quyết không được trước ngày nhận (%(date)s).",
                                             date=f"{complaint.received_on:%d/%m/%Y}"))
    refuse_future("resolved_on", resolved_on)
    before = audit.snapshot(complaint, COMPLAINT_FIELDS)
    # Resolved once: of two officers resolving at the same moment, the second is refused.
    claimed = db.session.execute(
        update(PostingComplaint).where(PostingComplaint.id == complaint.id,
                                       PostingComplaint.resolved_on.is_(None))
        .values(resolution=clean(resolution), resolved_on=resolved_on,
                resolved_by_id=getattr(user, "id", None))
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(complaint)
    if claimed != 1:
        raise RefusedChange("resolution", _("Khiếu nại này đã được giải quyết."))
    audit.record("resolve", "posting_complaint", complaint.id, before,
                 audit.snapshot(complaint, COMPLAINT_FIELDS))
    return complaint
