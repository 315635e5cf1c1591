"""Reads of the review domain."""
from sqlalchemy import func, select

from app.core import lookups
from app.core.scoping import scoped
from app.extensions import db
from app.households.models import Household
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


def reviews_to_check(year: int | None = None, commune_id: int | None = None,
                     limit: int = 200) -> tuple[int, list[tuple[Review, Household]]]:
    """"Quyết định khác kết quả tính theo chuẩn": decided reviews in scope whose decision
    differs from the computed result with no reason written (Review.needs_check) — left so by
    a correction of the standards, for the officer to confirm or re-decide. (count, first rows)"""
    stmt = (scoped(select(Review, Household), Review)
            .join(Household, Household.id == Review.household_id)
            .where(Review.needs_check, Household.deleted_at.is_(None)))
    if year:
        stmt = stmt.where(Review.year == year)
    if commune_id:
        stmt = stmt.where(Review.commune_id == commune_id)
    count = db.session.scalar(stmt.with_only_columns(func.count(Review.id)).order_by(None))
    rows = db.session.execute(stmt.order_by(Review.year.desc(), Household.code).limit(limit))
    return count, [tuple(r) for r in rows.unique()]
