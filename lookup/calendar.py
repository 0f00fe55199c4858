"""Working days in Vietnam: Monday to Friday, less the public holidays, with the year's swaps.

The public holidays (New Year, the lunar Tết, the Hùng Kings' day, 30 April, 1 May, National
Day, and the days off in lieu the law gives when one falls on a weekend) come from the
`holidays` package. Each year the government also announces swaps: a day off moved next to a
holiday, and a Saturday worked to make up for it. Those an operator imports
(`flask --app app calendar-import`) are `Swap`s, stored in the database and handed in here;
they win over the package on the day they name.

Pure: no database, no clock. Days are local (Vietnam) dates.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from lookup.clock import local
from lookup.ingest import is_utf8

OFF = "off"
WORK = "work"
KINDS = (OFF, WORK)
COUNTRY = "VN"
# A worked weekend day the package knows of has no name of its own there.
MAKE_UP_DAY = "Ngày làm việc bù"
MAX_REASON = 200
# The package computes the lunar calendar; years outside ours are not worth the cost.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Swap:
    """One announced change: `day` is off (a weekday given as a holiday) or work (a weekend
    day worked to make up for one)."""

    day: date
    kind: str
    reason: str = ""


@lru_cache(maxsize=256)
def package_days(year: int) -> tuple[Swap, ...]:
    """The `holidays` package's days off for the year, and the weekend days it knows are worked."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return ()
    import holidays

    found = holidays.country_holidays(COUNTRY, years=year, language="vi")
    days = [Swap(day, OFF, name) for day, name in found.items()]
    days += [Swap(day, WORK, MAKE_UP_DAY) for day in getattr(found, "weekend_workdays", ())
             if day.year == year]
    return tuple(sorted(days, key=lambda s: s.day))


@lru_cache(maxsize=256)
def _package_sets(year: int) -> tuple[frozenset[date], frozenset[date]]:
    days = package_days(year)
    return (frozenset(s.day for s in days if s.kind == OFF),
            frozenset(s.day for s in days if s.kind == WORK))


class WorkingCalendar:
    """Working days from the package's holidays and the swaps given (which win on their day)."""

    def __init__(self, swaps: Iterable[Swap] = ()) -> None:
        self.swaps: dict[date, Swap] = {s.day: s for s in swaps}
        # Per year: how many working days from 1 January up to each day, that day included.
        self._running: dict[int, tuple[int, ...]] = {}

    def is_working_day(self, day: date) -> bool:
        swap = self.swaps.get(day)
        if swap is not None:
            return swap.kind == WORK
        off, worked = _package_sets(day.year)
        if day in worked:
            return True
        return day.weekday() < 5 and day not in off

    def add_working_days(self, day: date, count: int) -> date:
        """The day `count` working days after `day` (before it when negative; `day` for 0)."""
        step = timedelta(days=1 if count >= 0 else -1)
        count = abs(count)
        while count > 0:
            day += step
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        total = self._count_to(end) - self._count_to(start)
        for year in range(start.year, end.year):
            total += self._running_of(year)[-1]
        return total

    def next_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the first one after it."""
        return self._walk_to_working_day(day, timedelta(days=1))

    def previous_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the last one before it."""
        return self._walk_to_working_day(day, timedelta(days=-1))

    def _walk_to_working_day(self, day: date, step: timedelta) -> date:
        while not self.is_working_day(day):
            day += step
        return day

    def days_of(self, year: int) -> list[Swap]:
        """Every holiday of the year and every weekend day worked, swaps applied, by date."""
        days = {s.day: s for s in package_days(year)}
        days.update({d: s for d, s in self.swaps.items() if d.year == year})
        return [days[d] for d in sorted(days)]

    def _count_to(self, day: date) -> int:
        return self._running_of(day.year)[day.timetuple().tm_yday - 1]

    def _running_of(self, year: int) -> tuple[int, ...]:
        running = self._running.get(year)
        if running is None:
            counts, total, day = [], 0, date(year, 1, 1)
            while day.year == year:
                total += self.is_working_day(day)
                counts.append(total)
                day += timedelta(days=1)
            running = self._running[year] = tuple(counts)
        return running


@dataclass(frozen=True)
class DueCount:
    """How a due date stands today in working days: `left` after today up to the due day, or
    `late` after the due day up to today; the other is None. `due_today` when it is today."""

    left: int | None = None
    late: int | None = None
    due_today: bool = False


def due_count(calendar: WorkingCalendar, due_at: datetime, now: datetime, overdue: bool) -> DueCount:
    """Working days left until `due_at`, or working days late since it (local dates)."""
    today, due_day = local(now).date(), local(due_at).date()
    if overdue:
        return DueCount(late=max(0, calendar.working_days_between(due_day, today)))
    return DueCount(left=max(0, calendar.working_days_between(today, due_day)),
                    due_today=due_day == today)


# The swaps file: `date,off|work,reason`, one a line, an optional header row first.

@dataclass(frozen=True)
class BadLine:
    line: int
    problem: str


def read_swaps(lines: Iterable[str]) -> tuple[list[Swap], list[BadLine]]:
    """The swaps in a CSV file's lines, and what is wrong with the others (by line number).

    Comma, semicolon or tab separated; the reason may be left out. A date given twice is an
    error on its second line unless both lines say the same.
    """
    swaps: dict[date, tuple[int, Swap]] = {}
    bad: list[BadLine] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        if not is_utf8(text):
            bad.append(BadLine(number, "not UTF-8 (save the file as CSV UTF-8)"))
            continue
        cells = _cells(text)
        if number == 1 and _is_header(cells):
            continue
        parsed = _swap(cells)
        if isinstance(parsed, str):
            bad.append(BadLine(number, parsed))
            continue
        earlier = swaps.get(parsed.day)
        if earlier is not None and earlier[1].kind != parsed.kind:
            bad.append(BadLine(number, f"{parsed.day} is already '{earlier[1].kind}' on line {earlier[0]}"))
            continue
        swaps[parsed.day] = (number, parsed)
    return [s for _n, s in sorted(swaps.values(), key=lambda item: item[1].day)], bad


def _cells(text: str) -> list[str]:
    delimiter = "\t" if "\t" in text else (";" if text.count(";") > text.count(",") else ",")
    return [cell.strip() for cell in next(csv.reader([text], delimiter=delimiter), [])]


def _is_header(cells: Sequence[str]) -> bool:
    return bool(cells) and not cells[0][:1].isdigit()


def _swap(cells: Sequence[str]) -> Swap | str:
    """The swap on a line, or what is wrong with it."""
    if len(cells) < 2:
        return "expected date,off|work,reason"
    raw_day, kind = cells[0], cells[1].lower()
    reason = ",".join(cells[2:]).strip()
    try:
        day = date.fromisoformat(raw_day)
    except ValueError:
        return f"'{raw_day[:40]}' is not a date (YYYY-MM-DD)"
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return f"{day}: year out of range ({FIRST_YEAR}-{LAST_YEAR})"
    if kind not in KINDS:
        return f"'{cells[1][:20]}' should be 'off' or 'work'"
    if len(reason) > MAX_REASON:
        return f"reason longer than {MAX_REASON} characters"
    if not reason.isprintable():
        return "reason contains control characters"
    return Swap(day, kind, reason)
