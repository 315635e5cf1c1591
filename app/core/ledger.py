"""Append-only tables (audit log, supports ledger, fund books): rows are never deleted and
only the named columns may change (a verification or posting state). One guard for all."""
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

_MUTABLE: dict[type, frozenset[str]] = {}


class AppendOnlyError(RuntimeError):
    """A programming error: something tried to edit or delete a ledger row."""


def append_only(model: type, mutable=()) -> type:
    """Register `model` as append-only; `mutable` columns may still change."""
    _MUTABLE[model] = frozenset(mutable)
    return model


@event.listens_for(Session, "before_flush")
def _guard(session, _ctx, _instances):
    for obj in session.deleted:
        if type(obj) in _MUTABLE:
            raise AppendOnlyError(f"{obj.__tablename__} rows are never deleted")
    for obj in session.dirty:
        mutable = _MUTABLE.get(type(obj))
        if mutable is None or not session.is_modified(obj):
            continue
        changed = {a.key for a in inspect(obj).attrs if a.history.has_changes()} - mutable
        if changed:
            raise AppendOnlyError(f"{obj.__tablename__} {obj.id} is append-only: {sorted(changed)}")
