"""One place decides a dossier's state: its events and what the back-office said of it.

Every write goes through `derive`: the ingest API's PUT (a dossier) and POST (an event), the
bulk import, and the national portal's sync format. Pure: no database, no clock.

Three kinds of fact compete to be the current state, the latest by time winning:

* **events**, each a status at a time (with a note, a new due date, the office handling it);
  they arrive in any order and a repeat is stored once, so the stored list is the history;
* a **live statement**, what a PUT or the national portal's dossier sync says the dossier is
  now: it is kept as an event too, so it competes as one;
* a **snapshot**, a bulk-import row, of unknown age and kept without an event ("imported
  state"): it wins only if it is at least as new as everything else, and once stored it goes
  on competing (as the stored state) with the events that come after it.

On a tie in time an event beats the stored imported state, and a new snapshot beats both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

RESOLVED = ("ready", "returned")


@dataclass(frozen=True)
class Happened:
    """One stored event."""

    status: str
    at: datetime
    note: str = ""
    due_at: datetime | None = None
    office: str = ""


@dataclass(frozen=True)
class Statement:
    """What the back-office said of the dossier as a whole (a PUT, an import row, a sync item).

    `live`: it says how things are now, and is kept as an event (PUT, national sync); else it
    is a snapshot of unknown age (bulk import). `due_at` is the appointment date the office
    gives now: it becomes the original due date, which apologies (events) may move.
    """

    status: str
    status_at: datetime | None
    received_at: datetime
    due_at: datetime | None
    note: str = ""
    handling_office: str = ""
    live: bool = True
    # The due date in force when the office says it moved `due_at` (kept on its event).
    due_moved_to: datetime | None = None


@dataclass(frozen=True)
class State:
    """The derived state, as the dossier row stores it (`imported` is not stored: it says the
    current status came from a snapshot and has no event of its own)."""

    status: str
    status_at: datetime
    note: str
    original_due_at: datetime | None
    due_at: datetime | None
    handling_office: str
    finished_at: datetime | None
    imported: bool = False

    def columns(self) -> dict[str, Any]:
        """The values of the dossier row's state columns."""
        return {
            "status": self.status,
            "status_at": self.status_at,
            "note": self.note,
            "original_due_at": self.original_due_at,
            "due_at": self.due_at,
            "handling_office": self.handling_office,
            "finished_at": self.finished_at,
        }

    @classmethod
    def of_row(cls, row: Any) -> State:
        """The state stored on a dossier row (anything with the state columns)."""
        return cls(row.status, row.status_at, row.note, row.original_due_at, row.due_at,
                   row.handling_office, row.finished_at)


def statement_time(said: Statement, stored: State | None, now: datetime) -> datetime:
    """When a statement's status took effect, where it does not say.

    A new dossier's status dates from its receipt. A live statement repeating the stored
    status and due date changes nothing (it keeps that status's time); one naming another
    status, or moving the due date, says it changed now. A snapshot of unknown age dates from
    the receipt, so it never overrides what the office has pushed since.
    """
    if said.status_at is not None:
        return said.status_at
    if stored is None or not said.live:
        return said.received_at
    unchanged = said.status == stored.status and said.due_moved_to in (None, stored.due_at)
    return stored.status_at if unchanged else now


def as_event(said: Statement, at: datetime) -> Happened:
    """A live statement as the event it is kept as."""
    return Happened(said.status, at, said.note, said.due_moved_to, said.handling_office)


def is_imported(status: str, status_at: datetime, events: Sequence[Any]) -> bool:
    """Whether a stored status has no event of its own (it came from a snapshot); `events`
    are anything with a `status` and an `at` (Happened, a timeline entry)."""
    return not any(e.status == status and e.at == status_at for e in events)


@dataclass(frozen=True)
class _Fact:
    at: datetime
    rank: int  # on a tie in time: stored imported state 0 < event 1 < new snapshot 2
    order: int
    status: str
    note: str
    office: str

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.at, self.rank, self.order)


def derive(events: Sequence[Happened], stored: State | None = None,
           said: Statement | None = None) -> State:
    """The state from the dossier's events (oldest first, as stored: by time, then arrival),
    the state stored before this write (None for a new dossier) and, where this write is a
    statement about the whole dossier, what it said (a snapshot's `status_at` must be set:
    see `statement_time`).

    * status, its time and note: the latest fact (above);
    * handling office: the latest fact that names one (saying nothing does not clear it);
    * due date: the latest event that moved it (an apology, form 04), else the original,
      which the statement gives, else the stored one;
    * finished: the first time the dossier was ready or returned; once finished, it stays.
    """
    facts = [_Fact(e.at, 1, n, e.status, e.note, e.office) for n, e in enumerate(events)]
    if stored is not None and is_imported(stored.status, stored.status_at, events):
        facts.append(_Fact(stored.status_at, 0, 0, stored.status, stored.note, stored.handling_office))
    if said is not None and not said.live:
        if said.status_at is None:
            raise ValueError("a snapshot needs its status time (statement_time)")
        facts.append(_Fact(said.status_at, 2, 0, said.status, said.note, said.handling_office))
    if not facts:
        raise ValueError("a dossier's state needs an event or a statement")
    latest = max(facts, key=lambda f: f.key)
    naming = [f for f in facts if f.office]
    office = max(naming, key=lambda f: f.key).office if naming else ""

    if said is not None:
        original = said.due_at
    else:
        original = stored.original_due_at if stored is not None else None
    moved = [e for e in events if e.due_at is not None]
    due_at = moved[-1].due_at if moved else original

    finished = [f.at for f in facts if f.status in RESOLVED]
    if stored is not None and stored.finished_at is not None:
        finished.append(stored.finished_at)
    return State(
        status=latest.status,
        status_at=latest.at,
        note=latest.note,
        original_due_at=original,
        due_at=due_at,
        handling_office=office,
        finished_at=min(finished, default=None),
        imported=latest.rank != 1,
    )
