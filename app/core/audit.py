"""Append-only audit log: every write (who, when, what, before → after) and every view of
personal data. Rows are never updated or deleted; the ORM refuses to."""
from datetime import date, datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.ledger import AppendOnlyError, append_only  # noqa: F401  (AppendOnlyError: API)
from app.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=datetime.utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)   # create/update/delete/view/...
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(45))

    user = relationship("User", lazy="joined")


append_only(AuditLog)


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
