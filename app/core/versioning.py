"""Optimistic locking for case edits: a stale edit is refused (409), never silently applied."""
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db


class StaleEdit(Exception):
    """Someone saved the record after this form was loaded. `changes`: the saved values of
    the fields whose saved value differs from what was submitted."""

    def __init__(self, current, changes: dict):
        self.current, self.changes = current, changes


def claim_next_version(obj, submitted, submitted_values: dict | None = None):
    """Claim the next version atomically (UPDATE … WHERE version = submitted), so two people
    saving the same record at once cannot both win."""
    try:
        submitted = int(submitted)
    except (TypeError, ValueError):
        submitted = -1
    model = type(obj)
    claimed = db.session.execute(
        update(model).where(model.id == obj.id, model.version == submitted)
        .values(version=submitted + 1).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.refresh(obj)
        values = submitted_values or {}
        raise StaleEdit(obj, {f: getattr(obj, f) for f, v in values.items() if getattr(obj, f) != v})
    set_committed_value(obj, "version", submitted + 1)
