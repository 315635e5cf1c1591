"""One login attempt. The same hashing work for every name typed; failed logins counted per
account in the database (so every worker sees them, and one officer's typos lock nobody else
out): a few are free, then a growing wait, then a lock that an admin lifts or that ends by
itself. Every outcome leaves an audit row (the typed name, never the typed password)."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import audit, clock
from app.core.users import User
from app.extensions import db

FREE_FAILURES = 3                      # typos cost nothing
FIRST_WAIT = timedelta(seconds=15)     # then 15 s, 30 s, 1 min… doubling per failure
LONGEST_WAIT = timedelta(minutes=5)


@dataclass
class Attempt:
    user: User | None = None            # set when the login succeeded
    retry_at: datetime | None = None    # set when the account must wait (UTC)
    locked: bool = False                # the wait is the lock, not the back-off


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def is_locked(user: User, now: datetime | None = None) -> bool:
    now = now or clock.utcnow()
    return (user.failed_logins >= current_app.config["LOGIN_LOCK_AFTER"]
            and user.locked_until is not None and user.locked_until > now)


def attempt(typed_username: str, password: str, now: datetime | None = None) -> Attempt:
    """Check a login; the caller commits (the failure count must stay whatever follows)."""
    now = now or clock.utcnow()
    typed = typed_username.strip()
    # FOR UPDATE: concurrent guesses at one account wait for each other's count.
    user = db.session.scalar(select(User).where(User.username == typed.lower())
                             .with_for_update(of=User))
    # An unknown name or a deactivated account costs the same hashing time as a real one.
    password_ok = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.active:
        _record_failure(user, typed, "unknown_user" if user is None else "inactive")
        return Attempt()
    if user.locked_until is not None and user.locked_until > now:
        _record_failure(user, typed, "locked" if is_locked(user, now) else "waiting")
        return Attempt(retry_at=user.locked_until, locked=is_locked(user, now))
    if not password_ok:
        _count_failure(user, now)
        _record_failure(user, typed, "wrong_password")
        return Attempt(retry_at=user.locked_until, locked=is_locked(user, now))
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    audit.record("login", "user", user.id, user=user)
    return Attempt(user=user)


def _count_failure(user: User, now: datetime):
    user.failed_logins += 1
    lock_after = current_app.config["LOGIN_LOCK_AFTER"]
    if user.failed_logins >= lock_after:
        user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        audit.record("login_locked", "user", user.id, user=user, after={
            "failed_logins": user.failed_logins, "locked_until": user.locked_until.isoformat()})
    elif user.failed_logins >= FREE_FAILURES:
        user.locked_until = now + min(FIRST_WAIT * 2 ** (user.failed_logins - FREE_FAILURES),
                                      LONGEST_WAIT)


def _record_failure(user: User | None, typed: str, reason: str):
    audit.record("login_failed", "user", user.id if user else None, user=user,
                 after={"username": typed[:60], "reason": reason})


def unlock(user: User):
    """An admin lifts the lock (and the back-off) before it ends by itself."""
    user.failed_logins, user.locked_until = 0, None
    audit.record("unlock", "user", user.id)
