"""Quiet hours: no text to a citizen at night (21:00-07:00 in Viet Nam by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from lookup.clock import OFFICE_ZONE

_WINDOW = re.compile(r"^(?P<start>\d\d:\d\d)\s*-\s*(?P<end>\d\d:\d\d)$")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    zone: ZoneInfo = OFFICE_ZONE

    def contains(self, moment: datetime) -> bool:
        clock = moment.astimezone(self.zone).time()
        if self.start <= self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself outside quiet hours, else when they end (same zone as given)."""
        if not self.contains(moment):
            return moment
        here = moment.astimezone(self.zone)
        end = datetime.combine(here.date(), self.end, self.zone)
        if end <= here:
            end = datetime.combine(here.date() + timedelta(days=1), self.end, self.zone)
        return end.astimezone(moment.tzinfo)


def parse(text: str, zone: ZoneInfo = OFFICE_ZONE) -> QuietHours | None:
    """`21:00-07:00` -> QuietHours; empty -> None (no quiet hours). ValueError when malformed."""
    text = (text or "").strip()
    if not text:
        return None
    match = _WINDOW.match(text)
    try:
        if match is None:
            raise ValueError
        start, end = time.fromisoformat(match["start"]), time.fromisoformat(match["end"])
    except ValueError:
        raise ValueError(f"QUIET_HOURS={text!r}: expected HH:MM-HH:MM, e.g. 21:00-07:00") from None
    if start == end:
        raise ValueError(f"QUIET_HOURS={text!r}: start and end are the same")
    return QuietHours(start, end, zone)


def next_allowed(hours: QuietHours | None, moment: datetime) -> datetime:
    return moment if hours is None else hours.next_allowed(moment)
