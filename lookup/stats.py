"""On-time statistics per office and month: what leaders quote as the measure of the reform.

For a month (in the office's zone):

* **received**: dossiers received in the month;
* **resolved**: dossiers that first reached ready or returned in the month (`finished_at`);
* **resolved on time**: of those, the ones that did so by their due date in force
  (a date moved by an apology letter counts as the new date);
* **in progress** and **overdue in progress**: as of the month's end, or now for the
  current month; withdrawn, refused and stopped dossiers are not in progress.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from lookup import statuses
from lookup.clock import OFFICE_ZONE
from lookup.store import Store
from lookup.store import stats as stats_rows

RESOLVED = ("ready", "returned")
ENDED = tuple(code for code, s in statuses.STATUSES.items() if s.final and code not in RESOLVED)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class BadMonth(ValueError):
    """Not a month we can show: `reason` is "format" or "future"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, now: datetime) -> Month:
        """`YYYY-MM`, not after the current month; raises BadMonth."""
        found = _MONTH.match((text or "").strip())
        if not found:
            raise BadMonth("format")
        year, month = int(found[1]), int(found[2])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise BadMonth("format")
        chosen = cls(year, month)
        if chosen > cls.containing(now):
            raise BadMonth("future")
        return chosen

    @classmethod
    def containing(cls, moment: datetime) -> Month:
        local = moment.astimezone(OFFICE_ZONE)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=OFFICE_ZONE).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


@dataclass(frozen=True)
class OfficeFigures:
    office_id: str
    name_vi: str
    name_en: str
    received: int
    resolved: int
    resolved_on_time: int
    in_progress: int
    overdue_in_progress: int

    def name(self, lang: str) -> str:
        return (self.name_en if lang == "en" else "") or self.name_vi

    @property
    def on_time_percent(self) -> float | None:
        """Share of resolved dossiers resolved on time; None when none was resolved."""
        if not self.resolved:
            return None
        return 100.0 * self.resolved_on_time / self.resolved


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    as_of: datetime
    offices: tuple[OfficeFigures, ...]

    @property
    def empty(self) -> bool:
        """No dossier was received or resolved in the month (offices may still have some in
        progress from before)."""
        return not any(office.received or office.resolved for office in self.offices)

    @property
    def overall(self) -> OfficeFigures:
        def total(name: str) -> int:
            return sum(getattr(office, name) for office in self.offices)

        return OfficeFigures("", "", "", total("received"), total("resolved"),
                             total("resolved_on_time"), total("in_progress"),
                             total("overdue_in_progress"))


class FiguresCache:
    """Month figures kept per process, so a public page that anyone may walk month by month
    does not cost a scan of the dossiers each time.

    The current month is counted again after `current_seconds` (it changes all day), earlier
    months after `past_seconds` (late events still move them); a month before the first
    dossier is empty without a scan; one scan per month at a time, however many ask.
    """

    def __init__(self, store: Store, current_seconds: float = 60.0, past_seconds: float = 300.0,
                 size: int = 600) -> None:
        self.store = store
        self.current_seconds = current_seconds
        self.past_seconds = past_seconds
        self.size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[Month, tuple[float, MonthFigures]] = OrderedDict()
        self._computing: dict[Month, threading.Lock] = {}
        self._first: tuple[float, Month | None] | None = None

    def get(self, month: Month, now: datetime) -> MonthFigures:
        fresh_for = self.current_seconds if month == Month.containing(now) else self.past_seconds
        found = self._fresh(month, fresh_for)
        if found is not None:
            return found
        first = self.first_month()
        if first is None or month < first:
            return MonthFigures(month, min(month.end, now), ())
        with self._lock:
            computing = self._computing.setdefault(month, threading.Lock())
        with computing:
            found = self._fresh(month, fresh_for)  # another thread may just have counted it
            if found is None:
                found = for_month(self.store, month, now)
                with self._lock:
                    self._kept[month] = (time.monotonic(), found)
                    self._kept.move_to_end(month)
                    while len(self._kept) > self.size:
                        self._kept.popitem(last=False)
        with self._lock:
            self._computing.pop(month, None)
        return found

    def latest_with_data(self, now: datetime, back: int = 12) -> Month:
        """The month to open on when none is chosen: the current one, unless nothing was
        received or resolved in it yet (the 1st of the month), then the latest of the `back`
        months before it that had something; the current one when none did."""
        current = month = Month.containing(now)
        first = self.first_month()
        for _ in range(back + 1):
            if first is None or month < first:
                break
            if not self.get(month, now).empty:
                return month
            month = month.previous()
        return current

    def first_month(self) -> Month | None:
        """The month of the earliest dossier (an indexed look-up, kept like a past month)."""
        kept = self._first
        if kept is None or time.monotonic() - kept[0] > self.past_seconds:
            with self.store.connect() as conn:
                earliest = stats_rows.earliest_received(conn)
            kept = self._first = (time.monotonic(), Month.containing(earliest) if earliest else None)
        return kept[1]

    def _fresh(self, month: Month, seconds: float) -> MonthFigures | None:
        with self._lock:
            kept = self._kept.get(month)
        if kept is not None and time.monotonic() - kept[0] < seconds:
            return kept[1]
        return None


def for_month(store: Store, month: Month, now: datetime) -> MonthFigures:
    as_of = min(month.end, now)
    with store.connect() as conn:
        found = stats_rows.office_counts(conn, month.start, month.end, as_of, RESOLVED, ENDED)
    offices = tuple(
        OfficeFigures(row.office_id, row.name_vi, row.name_en, int(row.received), int(row.resolved),
                      int(row.resolved_on_time), int(row.in_progress), int(row.overdue_in_progress))
        for row in found
        if row.received or row.resolved or row.in_progress
    )
    return MonthFigures(month, as_of, offices)
