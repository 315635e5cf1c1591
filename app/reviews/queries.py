"""Reads of the review domain."""
from sqlalchemy import select

from app.core import lookups
from app.extensions import db
from app.reviews.forms import STATUS_CHOICES
from app.reviews.labels import TRANSITION_LABELS
from app.reviews.models import Review


def household_reviews(household_id: int) -> list[Review]:
    """Newest first. The caller has already loaded the household through its scope."""
    return db.session.scalars(select(Review).where(Review.household_id == household_id)
                              .order_by(Review.year.desc())).unique().all()


def timeline_context(household) -> dict:
    """What the case file's review panel (reviews/_timeline.html) needs."""
    return dict(reviews=household_reviews(household.id), transition_labels=TRANSITION_LABELS,
                status_labels=dict(STATUS_CHOICES), cause_labels=lookups.labels("poverty_cause"))
