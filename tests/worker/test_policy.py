"""What triggers what: the policy as a table."""

from datetime import UTC, date, datetime, timedelta

import pytest

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


@pytest.mark.parametrize("status, ready_at, now, expected", [
    # Ready on Friday; 5 working days later is the next Friday.
    ("ready", FRIDAY, FRIDAY + timedelta(days=6), None),
    ("ready", FRIDAY, FRIDAY + timedelta(days=7), Trigger("pickup_reminder", "reminder:20261120T1000")),
    ("ready", FRIDAY, FRIDAY + timedelta(days=30), Trigger("pickup_reminder", "reminder:20261120T1000")),
    ("returned", FRIDAY, FRIDAY + timedelta(days=30), None),
])
def test_pickup_reminder_after_working_days(status, ready_at, now, expected):
    assert policy.pickup_reminder(status, ready_at, now, 5) == expected


@pytest.mark.parametrize("start, days, expected", [
    (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday + 1 = Monday
    (date(2026, 11, 20), 5, date(2026, 11, 27)),
    (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Saturday + 1 = Monday
    (date(2026, 11, 23), 0, date(2026, 11, 23)),
])
def test_working_days(start, days, expected):
    assert policy.add_working_days(start, days) == expected


def test_every_kind_has_texts():
    from worker import texts

    assert set(texts.VARIANTS) == set(policy.KINDS)
