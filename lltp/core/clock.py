"""Local time. Timestamps are stored in UTC; dates the law counts in are local (Vietnam, UTC+7)."""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@lru_cache(maxsize=4)
def _zone(name):
    return ZoneInfo(name)


def local_tz():
    name = (
        current_app.config.get("LLTP_TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() else DEFAULT_TIMEZONE
    )
    return _zone(name)


def now():
    return datetime.now(UTC)


def to_local(moment):
    return moment.astimezone(local_tz())


def local_date(moment):
    """The calendar date, in Vietnam, of a UTC moment."""
    return to_local(moment).date()


def today():
    return local_date(now())
