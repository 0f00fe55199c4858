"""Office hours as configured (`IVR_OFFICE_HOURS`), e.g. `Mon-Fri 07:30-11:30,13:30-17:00; Sat 08:00-11:30`.

Pure: the flow asks `is_open(local_time)` with a time it was given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Span:
    days: tuple[int, ...]  # 0 = Monday
    opens: time
    closes: time


@dataclass(frozen=True)
class OfficeHours:
    spans: tuple[Span, ...]

    def is_open(self, moment: datetime) -> bool:
        """True when `moment` (in the office's zone) falls inside a span."""
        now = moment.time()
        return any(moment.weekday() in s.days and s.opens <= now < s.closes for s in self.spans)


def _days(text: str) -> tuple[int, ...]:
    result: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first[:3] not in DAYS or (last and last[:3] not in DAYS):
            raise ValueError(f"unknown day in {text!r}")
        start = DAYS.index(first[:3])
        end = DAYS.index(last[:3]) if last else start
        result.extend(range(start, end + 1))
    return tuple(sorted(set(result)))


def parse(text: str) -> OfficeHours:
    """Raise ValueError for a setting we cannot read, so a typo fails at start-up, not mid-call."""
    spans = []
    for group in filter(None, (g.strip() for g in text.split(";"))):
        days_text, _, ranges = group.partition(" ")
        days = _days(days_text)
        items = [r.strip() for r in ranges.split(",") if r.strip()]
        if not items:
            raise ValueError(f"no hours for {days_text!r} in IVR_OFFICE_HOURS")
        for item in items:
            match = _RANGE.match(item)
            if not match:
                raise ValueError(f"bad time range {item!r} in IVR_OFFICE_HOURS")
            h1, m1, h2, m2 = (int(x) for x in match.groups())
            spans.append(Span(days, time(h1, m1), time(min(h2, 23), m2 if h2 < 24 else 59)))
    return OfficeHours(tuple(spans))
