"""Expected completion: percentiles in working days on a generated history, and what a lookup shows."""

import io
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from lookup import expected, importer
from lookup.calendar import WorkingCalendar
from lookup.clock import OFFICE_ZONE
from lookup.expected import Figures, Finished, percentile
from tests.conftest import AGENCY, NOW, OTHER_AGENCY
from tests.lookup.core import open_core, put

CAL = WorkingCalendar()


@pytest.mark.parametrize("values, p50, p90", [
    (list(range(1, 11)), 5, 9),
    ([7], 7, 7),
    ([1, 2], 1, 2),
    (list(range(1, 101)), 50, 90),
    ([0, 0, 0, 1, 30], 0, 30),
])
def test_nearest_rank_percentiles(values, p50, p90):
    assert (percentile(values, 50), percentile(values, 90)) == (p50, p90)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), OFFICE_ZONE).astimezone(UTC)


def history(durations, *, office="A", procedure="Khai sinh", due_after=60, start=date(2026, 3, 2)):
    """Dossiers received 09:00 on working days from `start`, finished 15:00 `d` working days
    later, due 17:00 `due_after` working days after receipt."""
    rows, day = [], start
    for took in durations:
        day = CAL.next_working_day(day + timedelta(days=1))
        finished = at(CAL.add_working_days(day, took), 15)
        due = at(CAL.add_working_days(day, due_after), 17)
        rows.append(Finished(office, procedure, at(day, 9), finished, finished <= due))
    return rows


def test_figures_on_a_generated_history():
    durations = list(range(1, 101))
    random.Random(13).shuffle(durations)
    found = expected.figures(history(durations) + history([4, 4, 5], procedure="Kết hôn"), CAL)
    assert found[("A", "Khai sinh")] == Figures(50, 90, 0.6, 100)
    assert found[("A", "Kết hôn")] == Figures(4, 5, 1.0, 3)


def test_tet_is_not_counted():
    # Received the Thursday before Tết 2026, ready the Tuesday after: 3 working days, not 12.
    took = Finished("A", "Khai sinh", at(date(2026, 2, 12), 9), at(date(2026, 2, 24), 15), True)
    assert expected.figures([took], CAL)[("A", "Khai sinh")].p50_working_days == 3


def test_what_a_lookup_shows():
    figures = Figures(5, 8, 0.92, 143)
    received = at(date(2026, 11, 27), 9)  # a Friday
    shown = expected.expected(figures, received, CAL, min_samples=20)
    assert shown.as_dict() == {"p50_working_days": 5, "p90_working_days": 8, "on_time_share": 0.92,
                               "samples": 143, "likely_ready_by": "2026-12-09"}
    assert expected.expected(figures, received, CAL, min_samples=144) is None
    assert expected.expected(None, received, CAL, min_samples=0) is None


# Through the core, on both databases

def csv_history(count: int, *, procedure: str, agency: str = AGENCY, first: int = 1,
                took: int = 6, finished_long_ago: bool = False) -> str:
    lines = ["code,agency_id,procedure_name,applicant_name,applicant_phone,received_at,due_at,status,"
             "status_at"]
    day = date(2026, 6, 1) if not finished_long_ago else date(2025, 6, 2)
    for n in range(first, first + count):
        day = CAL.next_working_day(day + timedelta(days=1))
        ready = CAL.add_working_days(day, took + n % 3)
        lines.append(f"{agency}-260601-{n:04d},{agency},{procedure},Nguyễn Văn An,0912345678,"
                     f"{day}T09:00:00+07:00,{CAL.add_working_days(day, 7)},ready,{ready}T15:00:00+07:00")
    return "\n".join(lines) + "\n"


@pytest.fixture
def core(database_url):
    service = open_core(database_url, {AGENCY: "UBND A", OTHER_AGENCY: "UBND B"})
    yield service
    service.store.dispose()


def test_refresh_then_lookup(core):
    importer.import_lines(core, io.StringIO(csv_history(25, procedure="Cấp giấy khai sinh")))
    importer.import_lines(core, io.StringIO(csv_history(5, procedure="Đăng ký kết hôn", first=100)))
    importer.import_lines(core, io.StringIO(csv_history(30, procedure="Cấp giấy khai sinh", first=200,
                                                        took=40, finished_long_ago=True)))
    done = core.refresh_expected()
    assert (done.pairs, done.dossiers, done.shown) == (2, 30, 1)

    put(core, "000.00.04.H40-261120-0001", received_at="2026-11-20T09:00:00+07:00",
        due_at="2026-12-04", procedure_name="Cấp giấy khai sinh")
    view = core.resolve("000.00.04.H40-261120-0001")
    # 6, 7 or 8 working days (the ones finished over a year ago are not counted).
    assert view.expected.as_dict() == {"p50_working_days": 7, "p90_working_days": 8,
                                       "on_time_share": 0.68, "samples": 25,
                                       "likely_ready_by": "2026-12-03"}
    put(core, "000.00.04.H40-261120-0002", procedure_name="Đăng ký kết hôn")
    assert core.resolve("000.00.04.H40-261120-0002").expected is None  # 5 < EXPECTED_MIN_SAMPLES
    put(core, "000.00.04.H40-261120-0003", procedure_name="Cấp giấy khai sinh", status="ready")
    assert core.resolve("000.00.04.H40-261120-0003").expected is None  # finished: nothing to expect
    assert [r.procedure for r in core.expected_table()] == ["Cấp giấy khai sinh"]

    lax = type(core)(core.store, clock=core.clock, expected_min_samples=5)
    assert lax.resolve("000.00.04.H40-261120-0002").expected.figures.samples == 5
    assert type(core)(core.store, clock=core.clock, expected_min_samples=None).resolve(
        "000.00.04.H40-261120-0001").expected is None


def test_refresh_replaces_the_table(core):
    importer.import_lines(core, io.StringIO(csv_history(25, procedure="Cấp giấy khai sinh")))
    assert core.refresh_expected().pairs == 1
    later = type(core)(core.store, clock=lambda: NOW + timedelta(days=400))
    assert later.refresh_expected().pairs == 0
    assert later.expected_table() == []


def test_expected_refresh_command(runner, service):
    importer.import_lines(service, io.StringIO(csv_history(20, procedure="Cấp giấy khai sinh")))
    result = runner.invoke(args=["expected-refresh"])
    assert result.exit_code == 0, result.output
    assert "1 office/procedure pairs from 20 dossiers finished since 2025-11-20; 1 with at least 20" \
        in result.output
