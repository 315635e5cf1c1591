"""One page of a list, read one way for every list: the rows of the page and how many rows the
list has in all (what templates/_pagination.html shows)."""
from dataclasses import dataclass

from sqlalchemy import Select, func, literal_column, select

from app.extensions import db


@dataclass
class Page:
    rows: list
    total: int | None      # None when not counted (paginate(count=False))
    number: int
    size: int
    capped: bool = False   # counted up to a limit only: `total` is "more than total"

    @property
    def pages(self) -> int:
        return max(1, -(-(self.total or 0) // self.size))

    @property
    def has_next(self) -> bool:
        if self.total is None:
            return len(self.rows) == self.size
        return self.capped or self.number * self.size < self.total


def paginate(stmt: Select, page: int, page_size: int, *, scalars: bool = True,
             unique: bool = False, count: bool | Select = True,
             count_limit: int | None = None) -> Page:
    """Page `page` (from 1) of the ordered statement `stmt`: its rows (ORM objects when
    `scalars`, else row tuples; `unique` for statements with joined eager loads of collections)
    and the total.

    The page is read first: when it is the last page (some rows but fewer than a full page, or
    none on page 1) the total follows from it, and the count — a second pass over every matching
    row, the costly half of a narrow search — is skipped. Otherwise the count is `stmt` with
    count(*) for its columns over the same FROM and joins, without order (right for a statement
    without DISTINCT, GROUP BY or LIMIT; `count` may give another counting statement), or none
    when `count` is False (the total is then None and has_next tells whether the page was
    full). With `count_limit`, counting stops past that many rows (or past this page): the
    page then says "more than N" (`capped`) — exact totals in the hundred thousands cost a
    province's broad search more than the page itself and tell the reader nothing more."""
    offset = (page - 1) * page_size
    result = db.session.execute(stmt.limit(page_size).offset(offset))
    if unique:
        result = result.unique()
    rows = (result.scalars() if scalars else result).all()
    if count is False:
        return Page(rows, None, page, page_size)
    if len(rows) < page_size and (rows or offset == 0):
        return Page(rows, offset + len(rows), page, page_size)
    if count_limit is not None and not isinstance(count, Select):
        limit = max(count_limit, offset + page_size)
        matching = stmt.with_only_columns(literal_column("1"), maintain_column_froms=True)
        found = db.session.scalar(select(func.count()).select_from(
            matching.order_by(None).limit(limit + 1).subquery())) or 0
        return Page(rows, min(found, limit), page, page_size, capped=found > limit)
    counting = count if isinstance(count, Select) else \
        stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return Page(rows, int(db.session.scalar(counting) or 0), page, page_size)
