"""Lookup lists kept as data (seeded by migration, editable by admins): người có công
categories, relationships, ethnic groups, schooling levels, work status, benefit types."""
from flask import g, has_app_context
from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Lookup(db.Model):
    __tablename__ = "lookup"
    __table_args__ = (UniqueConstraint("kind", "code", name="uq_lookup_kind_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    code: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # A tree or grouping inside one kind (support types under their group, programme
    # projects under their programme), and a category (a funding source's kind: fund, credit…).
    parent_code: Mapped[str | None] = mapped_column(String(30))
    category: Mapped[str | None] = mapped_column(String(30))


def choices(kind: str, blank: str | None = None) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Lookup.code, Lookup.label).where(Lookup.kind == kind, Lookup.is_active.is_(True))
        .order_by(Lookup.sort_order, Lookup.label)).all()
    items = [(code, label) for code, label in rows]
    return ([("", blank)] if blank is not None else []) + items


def labels(kind: str) -> dict[str, str]:
    return labels_of(kind)[kind]


def labels_of(*kinds: str) -> dict[str, dict[str, str]]:
    """{kind: {code: label}} in one query, remembered for the rest of the request."""
    cache = g.setdefault("_lookup_labels", {}) if has_app_context() else {}
    missing = [k for k in kinds if k not in cache]
    if missing:
        for k in missing:
            cache[k] = {}
        for kind, code, label in db.session.execute(
                select(Lookup.kind, Lookup.code, Lookup.label).where(Lookup.kind.in_(missing))):
            cache[kind][code] = label
    return {k: cache[k] for k in kinds}



def grouped_choices(kind: str, group_kind: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(code, label)…])…] for a <select> with <optgroup>s."""
    groups = db.session.execute(select(Lookup.code, Lookup.label).where(
        Lookup.kind == group_kind, Lookup.is_active.is_(True)).order_by(Lookup.sort_order)).all()
    rows = db.session.execute(select(Lookup.code, Lookup.label, Lookup.parent_code).where(
        Lookup.kind == kind, Lookup.is_active.is_(True)).order_by(Lookup.sort_order)).all()
    return [(label, [(c, lbl) for c, lbl, parent in rows if parent == code]) for code, label in groups]
