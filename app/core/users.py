"""Users and roles. A user's area is one administrative unit (scope_unit)."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import clock
from app.core.i18n import N_
from app.core.units import HAMLET, PROVINCE, AdminUnit
from app.extensions import db


class Role:
    ADMIN = "admin"
    DISTRICT = "district"      # supervises any unit above commune: a district or a province
    COMMUNE = "commune"
    MASS_ORG = "mass_org"
    SPONSOR = "sponsor"

    ALL = (ADMIN, DISTRICT, COMMUNE, MASS_ORG, SPONSOR)
    LABELS = {ADMIN: N_("Quản trị"), DISTRICT: N_("Cán bộ cấp trên xã (huyện/tỉnh)"),
              COMMUNE: N_("Cán bộ xã"), MASS_ORG: N_("MTTQ/đoàn thể"), SPONSOR: N_("Nhà tài trợ")}
    # The unit levels each role's scope may be set to.
    SCOPE_LEVELS = {ADMIN: (PROVINCE, DISTRICT, COMMUNE, None), DISTRICT: (PROVINCE, DISTRICT),
                    COMMUNE: (COMMUNE,), MASS_ORG: (PROVINCE, DISTRICT, COMMUNE),
                    SPONSOR: (PROVINCE, DISTRICT, COMMUNE, HAMLET, None)}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"), index=True)
    # Sponsor users belong to one sponsor; their households come from its assignments.
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Rotated at logout, deactivation and password change: every copied cookie dies with it.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    last_login_at: Mapped[datetime | None]
    # Failed logins since the last success, and no login attempt before locked_until: the
    # back-off after a few failures or the lock after many (app/auth/login.py).
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # Set by an admin: every page leads to the password change until the user has changed it.
    must_change_password: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[AdminUnit | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self):
        self.session_token = new_session_token()

    @property
    def role_label(self) -> str:
        return Role.LABELS.get(self.role, self.role)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def can_edit_cases(self) -> bool:
        return self.role == Role.COMMUNE

    @property
    def sees_sensitive(self) -> bool:
        """CCCD, ethnicity, disability and health data: only the officers who own the case."""
        return self.role in (Role.COMMUNE, Role.DISTRICT)


def load_user(user_id: str):
    """Flask-Login loader: the cookie carries id and session token; both must match."""
    try:
        raw_id, token = user_id.split(":", 1)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or user.session_token != token:
        return None
    return user
