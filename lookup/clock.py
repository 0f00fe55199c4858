"""Time, in one place, so tests can fix it and every channel agrees on the office's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

OFFICE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# A date-only due date means the end of that working day.
END_OF_WORKING_DAY = time(17, 0)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def fixed(moment: datetime) -> Clock:
    return lambda: moment


def parse_moment(value: object, zone: ZoneInfo = OFFICE_ZONE) -> datetime:
    """ISO 8601 date or date-time to an aware UTC moment; a bare time is in the office's zone.

    Raises ValueError with a short reason.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected an ISO 8601 date or date-time string")
    return _parse_text(value.strip(), zone)


@lru_cache(maxsize=8192)
def _parse_text(text: str, zone: ZoneInfo) -> datetime:
    """Cached: a bulk import repeats the same few hundred dates a million times."""
    if len(text) > 40:
        raise ValueError("too long for a date")
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), END_OF_WORKING_DAY, zone)
        else:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError("not an ISO 8601 date (YYYY-MM-DD) or date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not 2000 <= moment.year <= 2100:
        raise ValueError("year out of range")
    return moment.astimezone(UTC)


def local(moment: datetime, zone: ZoneInfo = OFFICE_ZONE) -> datetime:
    return moment.astimezone(zone)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


__all__ = ["Clock", "OFFICE_ZONE", "fixed", "iso", "local", "parse_moment", "utcnow"]
