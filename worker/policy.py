"""What triggers which alert: a table, and the pure functions that read it.

One cause never yields the same kind twice to one phone: the outbox row is unique per
(dossier, cause, kind, recipient's phone), and the causes below are chosen so that a repeat
of the same fact maps to the same cause (the same event, the same new due date, the same
missed due date, the same ready spell).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from lookup import statuses
from lookup.calendar import WorkingCalendar
from lookup.clock import OFFICE_ZONE, local

PICKUP = "pickup"
SUPPLEMENT = "supplement"
FEE_DUE = "fee_due"
NOT_ACCEPTED = "not_accepted"
STOPPED = "stopped"
NEW_DUE_DATE = "new_due_date"
OVERDUE = "overdue"
PICKUP_REMINDER = "pickup_reminder"
# Not an alert about the dossier: the code a phone just added for its alerts must text back
# (lookup.recipients). Sent at once, quiet hours or not, and only while the code lives.
CONFIRM_PHONE = "confirm_phone"

# The status a dossier moved to -> the alert it causes.
ON_STATUS = {
    "ready": PICKUP,
    "supplement_requested": SUPPLEMENT,
    "fee_due": FEE_DUE,
    "not_accepted": NOT_ACCEPTED,
    "stopped": STOPPED,
}
KINDS = (*ON_STATUS.values(), NEW_DUE_DATE, OVERDUE, PICKUP_REMINDER)

# The daily scan looks this far back (scan_since), so a first run on an old database is not a flood.
SCAN_LOOKBACK_WORKING_DAYS = 5


@dataclass(frozen=True)
class Trigger:
    kind: str
    cause: str


def for_change(change) -> list[Trigger]:
    """The alerts one write causes (`change` is a lookup.service.Change).

    Only an event that became the dossier's current state alerts: an older event arriving
    late, or the same event sent twice, changes nothing the citizen needs to hear. A due date
    moved later is an apology with the new date (form 04), unless the same write already
    alerts (a supplement request carries its own date) or the office has finished.
    """
    triggers = []
    became_current = (change.event_id is not None and change.status_changed
                      and change.event_status == change.status)
    if became_current and change.status in ON_STATUS:
        triggers.append(Trigger(ON_STATUS[change.status], f"event:{change.event_id}"))
    if (change.due_date_moved and not triggers and not statuses.get(change.status).final):
        triggers.append(Trigger(NEW_DUE_DATE, f"due:{_stamp(change.due_at)}"))
    return triggers


def overdue(status: str, due_at: datetime | None, now: datetime) -> Trigger | None:
    """The daily scan's apology for a dossier found past its due date; once per due date."""
    if not statuses.is_overdue(status, due_at, now):
        return None
    return Trigger(OVERDUE, f"overdue:{_stamp(due_at)}")


def pickup_reminder(status: str, status_at: datetime, now: datetime, working_days: int,
                    calendar: WorkingCalendar) -> Trigger | None:
    """One reminder when a result has waited `working_days` working days; once per ready spell."""
    if status != "ready":
        return None
    if local(now).date() < calendar.add_working_days(local(status_at).date(), working_days):
        return None
    return Trigger(PICKUP_REMINDER, f"reminder:{_stamp(status_at)}")


def ready_before(now: datetime, working_days: int) -> datetime:
    """A bound for the scan's query: ready before this may be due a reminder (checked exactly later)."""
    # Calendar days always cover at least as many working days.
    return now - timedelta(days=working_days)


def scan_since(moment: datetime, calendar: WorkingCalendar) -> datetime:
    """Where the daily scan starts looking back from `moment`: SCAN_LOOKBACK_WORKING_DAYS
    working days, and the days off just before them, so a week of Tết stays in view."""
    day = calendar.add_working_days(local(moment).date(), -SCAN_LOOKBACK_WORKING_DAYS)
    while not calendar.is_working_day(day - timedelta(days=1)):
        day -= timedelta(days=1)
    return datetime.combine(day, time(0), OFFICE_ZONE)


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else local(moment).strftime("%Y%m%dT%H%M")
