"""What triggers what: the policy as a table."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lookup.calendar import Swap, WorkingCalendar
from lookup.service import Change
from worker import policy
from worker.policy import Trigger

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 10:00 in Ha Noi
DUE = AT + timedelta(days=3)
LATER = DUE + timedelta(days=4)


def change(previous, status, *, event_id=7, event_status=None, previous_due=DUE, due=DUE):
    return Change(dossier_id=1, event_id=event_id, event_status=event_status or status,
                  previous_status=previous, status=status, previous_due_at=previous_due, due_at=due, at=AT)


@pytest.mark.parametrize("label, the_change, expected", [
    ("ready: pickup", change("processing", "ready"), [Trigger("pickup", "event:7")]),
    ("new dossier already ready", change(None, "ready", previous_due=None), [Trigger("pickup", "event:7")]),
    ("supplement: what and by when", change("processing", "supplement_requested"),
     [Trigger("supplement", "event:7")]),
    ("fee due", change("processing", "fee_due"), [Trigger("fee_due", "event:7")]),
    ("not accepted: reason", change("registered", "not_accepted"), [Trigger("not_accepted", "event:7")]),
    ("stopped: reason", change("processing", "stopped"), [Trigger("stopped", "event:7")]),
    ("received: nothing to say", change("registered", "received"), []),
    ("processing: nothing", change("received", "processing"), []),
    ("returned: nothing", change("ready", "returned"), []),
    ("withdrawn: nothing", change("processing", "withdrawn"), []),
    ("same event twice", change("processing", "ready", event_id=None), []),
    ("older event arrives late, status unchanged",
     change("processing", "processing", event_status="supplement_requested"), []),
    ("same status again", change("ready", "ready"), []),
    ("new due date from the back-office: apology",
     change("processing", "processing", due=LATER), [Trigger("new_due_date", "due:20261127T1000")]),
    ("due date moved by an event that is not current",
     change("processing", "processing", event_status="received", due=LATER),
     [Trigger("new_due_date", "due:20261127T1000")]),
    ("due date moved earlier: no apology", change("processing", "processing", due=AT), []),
    ("supplement with a new date: one text, the supplement",
     change("processing", "supplement_requested", due=LATER), [Trigger("supplement", "event:7")]),
    ("ready with a new date: pickup only", change("processing", "ready", due=LATER),
     [Trigger("pickup", "event:7")]),
    ("finished and moved: nothing", change("stopped", "stopped", due=LATER), []),
    ("due date moved by a put without a new event",
     change("processing", "processing", event_id=None, due=LATER),
     [Trigger("new_due_date", "due:20261127T1000")]),
])
def test_changes(label, the_change, expected):
    assert policy.for_change(the_change) == expected, label


@pytest.mark.parametrize("status, due, now, expected", [
    ("processing", DUE, DUE + timedelta(hours=1), Trigger("overdue", "overdue:20261123T1000")),
    ("supplement_requested", DUE, DUE + timedelta(days=2), Trigger("overdue", "overdue:20261123T1000")),
    ("processing", DUE, DUE - timedelta(hours=1), None),
    ("ready", DUE, DUE + timedelta(days=1), None),
    ("returned", DUE, DUE + timedelta(days=1), None),
    ("processing", None, AT, None),
])
def test_daily_scan_finds_overdue(status, due, now, expected):
    assert policy.overdue(status, due, now) == expected


FRIDAY = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
BEFORE_TET = datetime(2026, 2, 13, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("status, ready_at, now, expected", [
    # Ready on Friday 20 November; 5 working days later is Monday 30 (Tuesday 24 is a holiday).
    ("ready", FRIDAY, FRIDAY + timedelta(days=9), None),
    ("ready", FRIDAY, FRIDAY + timedelta(days=10), Trigger("pickup_reminder", "reminder:20261120T1000")),
    ("ready", FRIDAY, FRIDAY + timedelta(days=30), Trigger("pickup_reminder", "reminder:20261120T1000")),
    ("returned", FRIDAY, FRIDAY + timedelta(days=30), None),
    # Ready the Friday before Tết 2026 (16-20 February off): not before Friday 27 February.
    ("ready", BEFORE_TET, datetime(2026, 2, 26, 3, tzinfo=UTC), None),
    ("ready", BEFORE_TET, datetime(2026, 2, 27, 3, tzinfo=UTC),
     Trigger("pickup_reminder", "reminder:20260213T1000")),
])
def test_pickup_reminder_after_working_days(status, ready_at, now, expected):
    assert policy.pickup_reminder(status, ready_at, now, 5, WorkingCalendar()) == expected


def test_an_imported_swap_moves_the_reminder():
    worked = WorkingCalendar([Swap(date(2026, 11, 24), "work", "")])
    assert policy.pickup_reminder("ready", FRIDAY, FRIDAY + timedelta(days=7), 5, worked) is not None
    assert policy.pickup_reminder("ready", FRIDAY, FRIDAY + timedelta(days=7), 5, WorkingCalendar()) is None


@pytest.mark.parametrize("now, since", [
    # Friday 20 November: back 5 working days (13, 16, 17, 18, 19) and the weekend before them.
    (FRIDAY, datetime(2026, 11, 12, 17, tzinfo=UTC)),
    # Just after Tết 2026: the week off and the weekends around it stay in view.
    (datetime(2026, 2, 24, 3, tzinfo=UTC), datetime(2026, 2, 9, 17, tzinfo=UTC)),
])
def test_the_scan_looks_back_in_working_days(now, since):
    assert policy.scan_since(now, WorkingCalendar()) == since


def test_every_kind_has_texts():
    from worker import texts

    # And the code a phone added for the alerts must text back (not an office's alert kind).
    assert set(texts.VARIANTS) == {*policy.KINDS, policy.CONFIRM_PHONE}
