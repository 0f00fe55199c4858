"""One function decides a dossier's state: the table of what wins."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lookup.history import Happened, State, Statement, as_event, derive, statement_time

T = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def t(hours: float) -> datetime:
    return T + timedelta(hours=hours)


RECEIVED = T
DUE = t(24 * 15)
NEW_DUE = t(24 * 20)


def ev(status, at, note="", due_at=None, office=""):
    return Happened(status, at, note, due_at, office)


def put(status, at=None, note="", office="", due=DUE):
    return Statement(status, at, RECEIVED, due, note, office, live=True)


def snapshot(status, at, note="", office="", due=DUE):
    return Statement(status, at, RECEIVED, due, note, office, live=False)


def stored(status, at, note="", office="", due=DUE, original=DUE, finished=None):
    return State(status, at, note, original, due, office, finished)


# (label, events oldest first, stored state, statement, expected: field -> value)
CASES = [
    ("a new dossier's first status",
     [ev("received", t(0))], None, put("received", t(0)),
     {"status": "received", "status_at": t(0), "due_at": DUE, "original_due_at": DUE,
      "finished_at": None, "imported": False}),
    ("the latest event by time wins, not the last to arrive",
     [ev("received", t(0)), ev("processing", t(5)), ev("ready", t(9), note="Mang CCCD")],
     stored("ready", t(9), "Mang CCCD"), None,
     {"status": "ready", "status_at": t(9), "note": "Mang CCCD", "finished_at": t(9)}),
    ("two events at one time: the later arrival wins",
     [ev("received", t(0)), ev("processing", t(5)), ev("supplement_requested", t(5), "Thiếu ảnh")],
     None, None, {"status": "supplement_requested", "note": "Thiếu ảnh"}),
    ("an apology moves the due date; later events without one keep it",
     [ev("received", t(0)), ev("processing", t(5), due_at=NEW_DUE), ev("processing", t(8))],
     stored("processing", t(8)), None, {"due_at": NEW_DUE, "original_due_at": DUE}),
    ("a PUT gives a new original due date; an apology's date still stands",
     [ev("received", t(0)), ev("processing", t(5), due_at=NEW_DUE)],
     stored("processing", t(5), due=NEW_DUE), put("processing", t(5), due=t(24 * 17)),
     {"due_at": NEW_DUE, "original_due_at": t(24 * 17)}),
    ("a PUT with no apology on record sets the due date",
     [ev("received", t(0))], stored("received", t(0)), put("received", t(0), due=t(24 * 17)),
     {"due_at": t(24 * 17), "original_due_at": t(24 * 17)}),
    ("a newer snapshot wins and has no event",
     [ev("received", t(0))], stored("received", t(0)), snapshot("ready", t(30), "Mang CCCD"),
     {"status": "ready", "status_at": t(30), "note": "Mang CCCD", "imported": True, "finished_at": t(30)}),
    ("an older snapshot never undoes a newer status",
     [ev("received", t(0)), ev("processing", t(20))], stored("processing", t(20)),
     snapshot("received", t(0)), {"status": "processing", "status_at": t(20), "imported": False}),
    ("a snapshot as new as the stored state wins",
     [ev("received", t(0)), ev("processing", t(20))], stored("processing", t(20)),
     snapshot("stopped", t(20), "Thiếu hồ sơ"), {"status": "stopped", "imported": True}),
    ("a stored imported state beats older events",
     [ev("received", t(0)), ev("processing", t(10))], stored("ready", t(30), "Mang CCCD", finished=t(30)),
     None, {"status": "ready", "status_at": t(30), "imported": True, "finished_at": t(30)}),
    ("an event newer than the stored imported state wins",
     [ev("received", t(0)), ev("returned", t(40))], stored("ready", t(30), finished=t(30)), None,
     {"status": "returned", "status_at": t(40), "imported": False, "finished_at": t(30)}),
    ("on a tie an event beats the stored imported state",
     [ev("received", t(0)), ev("processing", t(30))], stored("fee_due", t(30)), None,
     {"status": "processing", "imported": False}),
    ("once finished, a dossier stays finished at its first finish",
     [ev("received", t(0)), ev("ready", t(10)), ev("returned", t(12)), ev("processing", t(14))],
     stored("processing", t(14), finished=t(10)), None, {"status": "processing", "finished_at": t(10)}),
    ("a finish seen only in a superseded snapshot is remembered",
     [ev("received", t(0)), ev("returned", t(50))], stored("returned", t(50), finished=t(30)), None,
     {"finished_at": t(30)}),
    ("the handling office is the latest named; an event naming none does not clear it",
     [ev("received", t(0), office="Một cửa"), ev("processing", t(5), office="Phòng Tư pháp"),
      ev("processing", t(8))], None, None, {"handling_office": "Phòng Tư pháp"}),
    ("a late event naming an office does not beat a newer one",
     [ev("received", t(0)), ev("processing", t(3), office="Phòng A"),
      ev("processing", t(6), office="Phòng B")],
     stored("processing", t(6), office="Phòng B"), None, {"handling_office": "Phòng B"}),
    ("a snapshot naming an office",
     [ev("received", t(0), office="Một cửa")], stored("received", t(0), office="Một cửa"),
     snapshot("processing", t(9), office="Chi cục Thuế"),
     {"status": "processing", "handling_office": "Chi cục Thuế"}),
    ("a snapshot naming no office keeps the one on record",
     [ev("processing", t(3), office="Phòng A")], stored("processing", t(3), office="Phòng A"),
     snapshot("fee_due", t(9), "Lệ phí 50.000 đồng"), {"status": "fee_due", "handling_office": "Phòng A"}),
    ("a statement moving the due date keeps the move on its event",
     [ev("received", t(0)), ev("processing", t(99), due_at=NEW_DUE)], stored("processing", t(5)),
     replace(put("processing", t(99)), due_moved_to=NEW_DUE),
     {"due_at": NEW_DUE, "original_due_at": DUE, "status_at": t(99)}),
    ("a new dossier from a snapshot alone",
     [], None, snapshot("returned", t(40)),
     {"status": "returned", "status_at": t(40), "finished_at": t(40), "imported": True,
      "due_at": DUE, "original_due_at": DUE}),
]


@pytest.mark.parametrize("label, events, before, said, expected", CASES, ids=[c[0] for c in CASES])
def test_derive(label, events, before, said, expected):
    state = derive(events, before, said)
    assert {name: getattr(state, name) for name in expected} == expected


@pytest.mark.parametrize("said, before, expected", [
    (put("processing", t(3)), stored("received", t(0)), t(3)),  # said: as said
    (put("received"), None, RECEIVED),  # a new dossier: from its receipt
    (put("processing"), stored("processing", t(5)), t(5)),  # the same status again: unchanged
    (put("ready"), stored("processing", t(5)), t(99)),  # another status: it changed now
    (snapshot("ready", None), stored("processing", t(5)), RECEIVED),  # a snapshot of unknown age
    (snapshot("ready", None), None, RECEIVED),
    # a sync saying the office moved the due date: a change, now
    (replace(put("processing"), due_moved_to=NEW_DUE), stored("processing", t(5)), t(99)),
    (replace(put("processing"), due_moved_to=NEW_DUE), stored("processing", t(5), due=NEW_DUE), t(5)),
])
def test_statement_time(said, before, expected):
    assert statement_time(said, before, now=t(99)) == expected


def test_a_live_statement_is_kept_as_an_event():
    assert as_event(put("processing", note="x", office="Phòng A"), t(3)) == ev("processing", t(3), "x", None,
                                                                                "Phòng A")


def test_what_cannot_be_derived():
    with pytest.raises(ValueError):
        derive([], None, None)
    with pytest.raises(ValueError):
        derive([], None, snapshot("ready", None))


def test_the_state_columns_round_trip():
    state = derive([ev("received", t(0)), ev("ready", t(9), "Mang CCCD", NEW_DUE, "Một cửa")])
    assert State.of_row(type("Row", (), state.columns())) == state
