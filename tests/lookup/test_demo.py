"""The demo's dates, whatever day it is first loaded: due dates on working days, and each
dossier as late or as early as the README says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lookup import demo
from lookup.clock import fixed, local
from lookup.service import Service
from lookup.store import Store


@pytest.mark.parametrize("loaded_at", [
    datetime(2026, 12, 1, 3, 0, tzinfo=UTC),    # a Tuesday: +4 days is a Saturday
    datetime(2026, 12, 4, 16, 30, tzinfo=UTC),  # Friday in UTC, Saturday 23:30 in Vietnam
    datetime(2027, 2, 4, 2, 0, tzinfo=UTC),     # the eve of Tết 2027: days off for a week
    datetime(2026, 8, 31, 2, 0, tzinfo=UTC),    # before National Day (2 September)
])
def test_demo_due_dates_fall_on_working_days(tmp_path, loaded_at):
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    store.create_all()
    service = Service(store, clock=fixed(loaded_at))
    demo.load(service)
    calendar = service.calendar()
    for code, _agency, _procedure, *_rest, due_in, _note in demo.DOSSIERS:
        view = service.resolve(code)
        assert calendar.is_working_day(local(view.due_at).date()), (code, local(view.due_at))
        assert (view.due_at >= loaded_at) is (due_in >= 0), code
    assert service.resolve("000.00.04.H40-261020-0003").overdue  # the README's overdue one
    store.dispose()
