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
    def overall(self) -> OfficeFigures:
        def total(name: str) -> int:
            return sum(getattr(office, name) for office in self.offices)

        return OfficeFigures("", "", "", total("received"), total("resolved"),
                             total("resolved_on_time"), total("in_progress"),
                             total("overdue_in_progress"))


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
