"""The one clock. "Today" and "now" are the configured zone's (BABEL_DEFAULT_TIMEZONE,
Asia/Ho_Chi_Minh): at 06:30 on 8 December in Hà Nội a support delivered "today" is dated
08/12, although UTC still says 7 December. Stored timestamps are naive UTC (`utcnow`), shown
through Babel in the user's zone (core.text.format_date). Tests freeze `_utc_now`."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def utcnow() -> datetime:
    """For stored timestamps (naive UTC, as the columns hold them)."""
    return _utc_now().astimezone(timezone.utc).replace(tzinfo=None)


def now() -> datetime:
    """The wall-clock time in the configured zone (aware)."""
    return _utc_now().astimezone(zone())


def today() -> date:
    return now().date()
