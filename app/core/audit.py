"""Append-only audit log: every write (who, when, what, before → after) and every view of
personal data. Rows are never updated or deleted; the ORM refuses to.

Views: a GET that shows personal fields records one 'view' row (`viewed`). The scoped loader
(core.scoping.get_scoped_or_404) calls `loaded` for every case-file row it returns, so a page
built on it cannot forget; lists name the households they show (`viewed_households`)."""
from datetime import date, datetime

from flask import after_this_request, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, insert
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.ledger import AppendOnlyError, append_only  # noqa: F401  (AppendOnlyError: API)
from app.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)   # create/update/delete/view/...
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(45))

    user = relationship("User", lazy="joined")


append_only(AuditLog)
_VIEW_INSERT = insert(AuditLog.__table__)   # `at` from the column default (clock.utcnow)


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(obj, fields) -> dict:
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def record(action: str, entity: str, entity_id: int | None, before: dict | None = None,
           after: dict | None = None, user=None):
    """Add an audit row to the current transaction (it commits or rolls back with the write)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if before and after:  # keep only what changed
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before[k] for k in changed if k in before}
        after = {k: after[k] for k in changed}
    db.session.add(AuditLog(
        user_id=getattr(user, "id", None), action=action, entity=entity, entity_id=entity_id,
        before=before, after=after,
        ip=request.remote_addr if has_request_context() else None))


# Views of personal data ---------------------------------------------------------------------

def viewed(entity: str, entity_id: int | None = None, **shown):
    """This response shows personal fields of `entity` #`entity_id`, and of the rows in `shown`
    (table name → id or ids). One 'view' row per request, written once the response is made and
    only for a 2xx (a refusal shows nothing): the first call names the row, later calls add
    their ids to its `after`. Ids only, never the values shown. GET only: a write's answer is
    covered by the write's own row, and a refused form shows what its author just typed."""
    if not has_request_context() or request.method != "GET":
        return
    view = g.get("audit_view")
    if view is None:
        view = g.audit_view = {"entity": entity, "entity_id": entity_id, "shown": {}}
        after_this_request(_write_view)
    elif (entity, entity_id) != (view["entity"], view["entity_id"]):
        shown = {entity: entity_id, **shown}
    for table, ids in shown.items():
        ids = ids if isinstance(ids, (list, tuple, set)) else [ids]
        view["shown"].setdefault(table, {}).update(dict.fromkeys(i for i in ids if i is not None))


def covered():
    """The view this request was about to record is already recorded by the page it is part
    of (core.htmx.page_panel): record none."""
    g.pop("audit_view", None)


def loaded(obj):
    """A GET that loads a case-file row through the scope shows that household's data: the row
    names the household, the inner row (member, review, …) goes in `after`."""
    if obj.__tablename__ == "household":
        viewed("household", obj.id)
    elif getattr(obj, "household_id", None) is not None:
        viewed("household", obj.household_id, **{obj.__tablename__: obj.id})


def viewed_households(ids):
    """A list of households by name: one row naming their ids; an empty list shows nobody."""
    ids = list(ids)
    if ids:
        viewed("household", None, household=ids)


def _write_view(response):
    view = g.pop("audit_view", None)
    if view is not None and 200 <= response.status_code < 300:
        shown = {table: list(ids) for table, ids in view["shown"].items() if ids}
        user = current_user if current_user.is_authenticated else None
        # The same row as record() makes, as one prepared INSERT rather than an object through
        # the unit of work (the table is append-only; a view row is never read back here).
        db.session.execute(_VIEW_INSERT, {
            "user_id": getattr(user, "id", None), "action": "view", "entity": view["entity"],
            "entity_id": view["entity_id"], "before": None, "after": shown or None,
            "ip": request.remote_addr})
        # A GET writes nothing else, so what this request loaded is still what the database
        # holds: nothing is expired by this commit, and the request log's look at the user
        # does not load the user a second time. Failing here fails the response.
        session = db.session()
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    return response
