"""Reads for the sponsor directory and the case file's sponsor panel. Every read starts from
sponsors.scope: sponsors_in_scope() for the directory, scoped() for assignments."""
from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select

from app.core import clock
from app.core.paging import paginate
from app.core.params import to_page
from app.core.scoping import scope_clause, scoped
from app.core.text import fold
from app.extensions import db
from app.households.models import Household
from app.sponsors.models import KIND_LABELS, Assignment, Sponsor
from app.sponsors.scope import sponsors_in_scope


@dataclass
class DirectoryParams:
    q: str = ""
    kind: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args):
        kind = args.get("kind", "")
        return cls(q=(args.get("q") or "").strip()[:100],
                   kind=kind if kind in KIND_LABELS else "", page=to_page(args.get("page")))

    def query_args(self, **override):
        args = {"q": self.q or None, "kind": self.kind or None,
                "page": self.page if self.page > 1 else None}
        args.update(override)
        return {k: v for k, v in args.items() if v}


def directory_page(params: DirectoryParams, page_size: int):
    """Sponsors in the user's scope, searched on the folded name (and contact person)."""
    stmt = sponsors_in_scope()
    if params.q:
        stmt = stmt.where(Sponsor.name_folded.contains(fold(params.q), autoescape=True))
    if params.kind:
        stmt = stmt.where(Sponsor.kind == params.kind)
    page = paginate(stmt.order_by(Sponsor.is_active.desc(), Sponsor.name_folded, Sponsor.id),
                    params.page, page_size)
    return page.rows, page.total, active_counts([s.id for s in page.rows])


def active_counts(sponsor_ids) -> dict[int, int]:
    """Households each sponsor adopts today, counted inside the user's own area."""
    if not sponsor_ids:
        return {}
    stmt = scoped(select(Assignment.sponsor_id, func.count(Assignment.id)), Assignment).where(
        Assignment.sponsor_id.in_(sponsor_ids), Assignment.active_on(clock.today())
    ).group_by(Assignment.sponsor_id)
    return dict(db.session.execute(stmt).all())


def sponsor_or_404(sponsor_id) -> Sponsor:
    try:
        sponsor_id = int(sponsor_id)
    except (TypeError, ValueError):
        abort(404)
    sponsor = db.session.scalar(sponsors_in_scope().where(Sponsor.id == sponsor_id))
    if sponsor is None:
        abort(404)
    return sponsor


def assignable_sponsors() -> list[Sponsor]:
    return db.session.scalars(sponsors_in_scope().where(Sponsor.is_active.is_(True))
                              .order_by(Sponsor.name_folded, Sponsor.id)).all()


def household_assignments(household_id: int) -> list[Assignment]:
    """Every assignment of the household (current, planned and ended), newest first."""
    return db.session.scalars(scoped(select(Assignment), Assignment).where(
        Assignment.household_id == household_id)
        .order_by(Assignment.starts_on.desc(), Assignment.id.desc())).all()


def sponsor_households(sponsor_id: int):
    """A sponsor's assignments in the user's area, with the household's head and code (the
    household through its own scope too: a deleted household drops out)."""
    stmt = (scoped(select(Assignment, Household.code, Household.head_name), Assignment)
            .join(Household, Household.id == Assignment.household_id)
            .where(Assignment.sponsor_id == sponsor_id, scope_clause(Household),
                   Household.deleted_at.is_(None))
            .order_by(Assignment.ends_on.is_not(None), Household.head_name_folded, Assignment.id))
    return db.session.execute(stmt).all()
