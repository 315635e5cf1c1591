"""The household list: search, filters, sort and pagination over the scoped query."""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.core.scoping import scoped
from app.core.text import fold
from app.extensions import db
from app.households.models import STATUS_LABELS, Household

FLAGS = {"merit": Household.has_merit_member, "ethnic": Household.is_ethnic_minority,
         "female": Household.is_female_headed, "nolabour": Household.has_no_labour_capacity}
FLAG_LABELS = {"merit": "Có người có công", "ethnic": "Dân tộc thiểu số",
               "female": "Phụ nữ làm chủ hộ", "nolabour": "Không còn khả năng lao động"}
SORTS = {"name": (Household.head_name_folded, Household.id),
         "-name": (Household.head_name_folded.desc(), Household.id.desc()),
         "code": (Household.code,), "-code": (Household.code.desc(),),
         "updated": (Household.updated_at.desc(), Household.id.desc())}
SORT_LABELS = {"name": "Tên chủ hộ A→Z", "-name": "Tên chủ hộ Z→A", "code": "Mã hộ",
               "-code": "Mã hộ (giảm dần)", "updated": "Mới cập nhật"}


@dataclass
class ListParams:
    """Validated query-string parameters; anything invalid falls back to the default."""
    q: str = ""
    hamlet: int | None = None
    status: str = ""
    flags: list[str] = field(default_factory=list)
    sort: str = "name"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "ListParams":
        params = cls(q=(args.get("q") or "").strip()[:100])
        try:
            params.hamlet = int(args["hamlet"]) if args.get("hamlet") else None
        except ValueError:
            params.hamlet = None
        params.status = args.get("status") if args.get("status") in STATUS_LABELS else ""
        params.flags = [f for f in args.getlist("flag") if f in FLAGS]
        params.sort = args.get("sort") if args.get("sort") in SORTS else "name"
        try:
            params.page = max(1, min(int(args.get("page", 1)), 100000))
        except ValueError:
            params.page = 1
        return params

    def query_args(self, **override) -> dict:
        args = {"q": self.q, "hamlet": self.hamlet or "", "status": self.status,
                "flag": self.flags, "sort": self.sort, "page": self.page}
        args.update(override)
        return {k: v for k, v in args.items() if v not in ("", None, [])}


def household_query(params: ListParams, user=None):
    stmt = scoped(select(Household), Household, user)
    if params.q:
        stmt = stmt.where(Household.search_text.contains(fold(params.q), autoescape=True))
    if params.hamlet:
        stmt = stmt.where(Household.hamlet_id == params.hamlet)
    if params.status:
        stmt = stmt.where(Household.status == params.status)
    for flag in params.flags:
        stmt = stmt.where(FLAGS[flag].is_(True))
    return stmt


def list_page(params: ListParams, page_size: int, user=None):
    """(rows, total) for one page.

    The page is read first: when it is the last page (some rows, fewer than a full page, or
    none on page 1) the total follows from it, and the count — a second pass over every
    matching row, the costly half of a narrow search — is skipped."""
    stmt = household_query(params, user)
    offset = (params.page - 1) * page_size
    rows = db.session.scalars(stmt.order_by(*SORTS[params.sort])
                              .limit(page_size).offset(offset)).all()
    if len(rows) < page_size and (rows or offset == 0):
        return rows, offset + len(rows)
    total = db.session.scalar(stmt.with_only_columns(func.count()).order_by(None))
    return rows, total
