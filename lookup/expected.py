"""Expected completion: how long dossiers of one procedure at one office took, from history.

For each office and procedure, from the dossiers finished in the last WINDOW_DAYS (received →
first ready or handed over, the `finished_at` the statistics use), the 50th and 90th
percentile in working days (lookup.calendar) and the share finished by their due date in
force. Computed in bulk (`flask --app app expected-refresh`, and nightly by the alerts
worker), stored, and read with the dossier by every lookup: a lookup computes nothing.

Pure: the rows come in, the figures go out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lookup.calendar import WorkingCalendar
from lookup.clock import END_OF_WORKING_DAY, OFFICE_ZONE, local

WINDOW_DAYS = 365
DEFAULT_MIN_SAMPLES = 20


@dataclass(frozen=True)
class Finished:
    """One dossier finished in the window, as the figures need it."""

    office_id: str
    procedure: str
    received_at: datetime
    finished_at: datetime
    on_time: bool


@dataclass(frozen=True)
class Figures:
    """What history says of one office and procedure."""

    p50_working_days: int
    p90_working_days: int
    on_time_share: float
    samples: int

    @property
    def on_time_percent(self) -> int:
        return round(100 * self.on_time_share)


@dataclass(frozen=True)
class Expected:
    """The figures as a lookup shows them, with the day p90 working days after receipt."""

    figures: Figures
    likely_ready_by: datetime  # 17:00 of that day, Vietnam time

    def as_dict(self) -> dict[str, object]:
        return {
            "p50_working_days": self.figures.p50_working_days,
            "p90_working_days": self.figures.p90_working_days,
            "on_time_share": self.figures.on_time_share,
            "samples": self.figures.samples,
            "likely_ready_by": local(self.likely_ready_by).date().isoformat(),
        }


def percentile(ordered: Sequence[int], p: float) -> int:
    """The nearest-rank percentile of sorted values: a value that was actually seen."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def figures(finished: Iterable[Finished], calendar: WorkingCalendar) -> dict[tuple[str, str], Figures]:
    """The figures of every office and procedure with at least one dossier finished."""
    days: dict[tuple[str, str], list[int]] = {}
    on_time: dict[tuple[str, str], int] = {}
    for dossier in finished:
        key = (dossier.office_id, dossier.procedure)
        took = calendar.working_days_between(local(dossier.received_at).date(),
                                             local(dossier.finished_at).date())
        days.setdefault(key, []).append(max(0, took))
        on_time[key] = on_time.get(key, 0) + dossier.on_time
    result = {}
    for key, taken in days.items():
        taken.sort()
        result[key] = Figures(percentile(taken, 50), percentile(taken, 90),
                              round(on_time[key] / len(taken), 4), len(taken))
    return result


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did."""

    since: datetime
    dossiers: int
    pairs: int
    shown: int


def window_start(now: datetime) -> datetime:
    return now - timedelta(days=WINDOW_DAYS)


def expected(figures_: Figures | None, received_at: datetime, calendar: WorkingCalendar,
             min_samples: int) -> Expected | None:
    """What a lookup shows: nothing below `min_samples` finished dossiers."""
    if figures_ is None or figures_.samples < min_samples:
        return None
    day = calendar.add_working_days(local(received_at).date(), figures_.p90_working_days)
    return Expected(figures_, datetime.combine(day, END_OF_WORKING_DAY, OFFICE_ZONE))
