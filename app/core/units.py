"""Administrative units as data: province → (district) → commune → hamlet.

Since 1 July 2025 most areas have no district, so a commune's parent may be a province.
Each unit stores its materialised path ("/1/7/42/") for subtree queries on this small table,
and scoped rows copy the ids of their ancestors (see core.scoping).
"""
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.extensions import db

PROVINCE, DISTRICT, COMMUNE, HAMLET = "province", "district", "commune", "hamlet"
LEVELS = (PROVINCE, DISTRICT, COMMUNE, HAMLET)
LEVEL_LABELS = {PROVINCE: N_("Tỉnh/Thành phố"), DISTRICT: N_("Huyện/Quận"),
                COMMUNE: N_("Xã/Phường"), HAMLET: N_("Thôn/Tổ dân phố")}
# Which levels may sit directly under which (district is optional).
ALLOWED_PARENTS = {PROVINCE: (), DISTRICT: (PROVINCE,), COMMUNE: (PROVINCE, DISTRICT),
                   HAMLET: (COMMUNE,)}


class AdminUnit(db.Model):
    __tablename__ = "admin_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    # Own flag; None = as the unit above (a hamlet follows its commune: phường and thị trấn
    # urban, xã rural). Read the effective value through `urban`.
    is_urban: Mapped[bool | None] = mapped_column(default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
    path: Mapped[str] = mapped_column(String(200), index=True, default="")

    parent: Mapped["AdminUnit | None"] = relationship(remote_side=[id], lazy="joined",
                                                       join_depth=3)

    def __repr__(self):
        return f"<AdminUnit {self.level} {self.code} {self.name}>"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def urban(self) -> bool:
        """Urban or rural: the unit's own flag, else the nearest ancestor's, else rural."""
        unit = self
        while unit is not None:
            if unit.is_urban is not None:
                return unit.is_urban
            unit = unit.parent
        return False

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def lineage(self) -> dict[str, int | None]:
        """{level: unit id} for this unit and its ancestors; absent levels are None."""
        found = {level: None for level in LEVELS}
        unit = self
        while unit is not None:
            found[unit.level] = unit.id
            unit = unit.parent
        return found

    def full_name(self) -> str:
        parts, unit = [], self
        while unit is not None:
            parts.append(unit.name)
            unit = unit.parent
        return ", ".join(parts)

    def rebuild_path(self):
        self.path = (self.parent.path if self.parent else "/") + f"{self.id}/"


def subtree(unit: AdminUnit, level: str | None = None):
    """Select the units at or below `unit` (optionally of one level)."""
    stmt = select(AdminUnit).where(AdminUnit.path.startswith(unit.path, autoescape=True))
    if level:
        stmt = stmt.where(AdminUnit.level == level)
    return stmt.order_by(AdminUnit.path)
