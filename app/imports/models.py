"""Excel/CSV import: saved column mappings per unit, and a record of each import."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.extensions import db


class ImportMapping(db.Model):
    """A named column mapping remembered for a commune (next year's file has the same headings)."""
    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("commune_id", "name", name="uq_import_mapping_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    headings: Mapped[list] = mapped_column(JSON)      # folded headings it was made for
    mapping: Mapped[dict] = mapped_column(JSON)       # folded heading → field
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow)


class ImportBatch(db.Model):
    """One import attempt: what file, by whom, for which commune, and what it did."""
    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="uploaded")  # uploaded/previewed/committed/failed
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    committed_at: Mapped[datetime | None]
