"""The working calendar against what the `holidays` package says of Vietnam, and imported swaps."""

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from lookup import calendar
from lookup.calendar import OFF, WORK, Swap, WorkingCalendar, due_count, read_swaps


def every_day(year):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", [2026, 2027])
def test_every_day_of_the_year_agrees_with_the_holidays_package(year):
    package = holidays.country_holidays("VN", years=year)
    worked_weekends = {d for d in package.weekend_workdays if d.year == year}
    working = WorkingCalendar()
    for day in every_day(year):
        expected = (day.weekday() < 5 and day not in package) or day in worked_weekends
        assert working.is_working_day(day) is expected, day


@pytest.mark.parametrize("year, tet", [
    # The lunar new year's days off as the package gives them (eve to the fourth or fifth day).
    (2026, [date(2026, 2, d) for d in range(16, 21)]),
    (2027, [date(2027, 2, d) for d in range(4, 11)]),
])
def test_tet_is_off(year, tet):
    working = WorkingCalendar()
    assert not any(working.is_working_day(day) for day in tet)
    assert any("Tết Nguyên Đán" in s.reason for s in working.days_of(year) if s.day in tet)


@pytest.mark.parametrize("start, count, expected", [
    (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday + 1 = Monday
    (date(2026, 11, 20), 5, date(2026, 11, 30)),  # Tuesday 24 November is Vietnam Cultural Day
    (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Saturday + 1 = Monday
    (date(2026, 11, 23), 0, date(2026, 11, 23)),
    (date(2026, 2, 13), 1, date(2026, 2, 23)),  # the Friday before Tết + 1: the Monday after
    (date(2026, 2, 13), 5, date(2026, 2, 27)),
    (date(2027, 2, 3), 1, date(2027, 2, 11)),
    (date(2026, 8, 21), 1, date(2026, 8, 22)),  # a Saturday worked to make up for 31 August
    (date(2026, 2, 23), -1, date(2026, 2, 13)),
    (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day, then the weekend
])
def test_add_working_days(start, count, expected):
    assert WorkingCalendar().add_working_days(start, count) == expected


@pytest.mark.parametrize("start, end, expected", [
    (date(2026, 11, 20), date(2026, 11, 20), 0),
    (date(2026, 11, 20), date(2026, 11, 25), 2),  # Mon 23, (Tue 24 off), Wed 25
    (date(2026, 2, 13), date(2026, 2, 27), 5),
    (date(2026, 2, 27), date(2026, 2, 13), -5),
    (date(2026, 12, 30), date(2027, 1, 5), 3),  # 31 Dec, (1 Jan off), 4 and 5 Jan
])
def test_working_days_between(start, end, expected):
    assert WorkingCalendar().working_days_between(start, end) == expected


def test_counting_agrees_with_adding_across_two_years():
    working = WorkingCalendar()
    start = date(2026, 1, 2)
    for count in range(0, 500, 7):
        assert working.working_days_between(start, working.add_working_days(start, count)) == count


def test_an_imported_swap_wins_over_the_package():
    # Say the government moves a day off next to Tết 2027 and has a Saturday worked for it,
    # and keeps offices open on a day the package lists as a holiday.
    swaps = [Swap(date(2027, 2, 3), OFF, "Nghỉ bù Tết"), Swap(date(2027, 1, 30), WORK, "Làm bù"),
             Swap(date(2026, 11, 24), WORK, "Không nghỉ")]
    plain, swapped = WorkingCalendar(), WorkingCalendar(swaps)
    assert plain.is_working_day(date(2027, 2, 3)) and not swapped.is_working_day(date(2027, 2, 3))
    assert not plain.is_working_day(date(2027, 1, 30)) and swapped.is_working_day(date(2027, 1, 30))
    assert swapped.is_working_day(date(2026, 11, 24))
    assert swapped.add_working_days(date(2027, 2, 2), 1) == date(2027, 2, 11)
    assert swapped.working_days_between(date(2027, 1, 29), date(2027, 2, 1)) == 2
    shown = {s.day: s for s in swapped.days_of(2027)}
    assert shown[date(2027, 1, 30)] == Swap(date(2027, 1, 30), WORK, "Làm bù")
    assert shown[date(2027, 2, 3)].kind == OFF


def test_the_package_knows_some_weekend_days_worked():
    shown = {s.day: s for s in WorkingCalendar().days_of(2026)}
    assert shown[date(2026, 8, 22)].kind == WORK
    assert shown[date(2026, 8, 31)].kind == OFF
    assert date(2026, 11, 21) not in shown  # an ordinary Saturday is not listed


NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # Friday 10:00 in Hà Nội


@pytest.mark.parametrize("due, overdue, expected", [
    (datetime(2026, 11, 25, 10, tzinfo=UTC), False, calendar.DueCount(left=2)),
    (datetime(2026, 11, 20, 10, tzinfo=UTC), False, calendar.DueCount(left=0, due_today=True)),
    (datetime(2026, 11, 21, 10, tzinfo=UTC), False, calendar.DueCount(left=0)),  # a Saturday
    (datetime(2026, 11, 19, 10, tzinfo=UTC), True, calendar.DueCount(late=1)),
    (datetime(2026, 11, 20, 1, tzinfo=UTC), True, calendar.DueCount(late=0)),
    (datetime(2026, 11, 13, 10, tzinfo=UTC), True, calendar.DueCount(late=5)),
])
def test_due_count(due, overdue, expected):
    assert due_count(WorkingCalendar(), due, NOW, overdue) == expected


def test_reading_a_swaps_file():
    swaps, bad = read_swaps([
        "\ufeffngay,loai,ly do\n",
        "2027-02-03,off,Nghỉ Tết, thay cho thứ Bảy 30/01\n",
        "2027-01-30;WORK;Làm bù\n",
        "\n",
        "# a comment\n",
        "2027-02-31,off,no such day\n",
        "2027-02-04,nghi,wrong kind\n",
        "2027-02-03,work,contradicts line 2\n",
        "2027-02-03,off,same again is fine\n",
        "1999-01-01,off,too early\n",
        "2027-02-05\n",
        "2027-02-06,off,bad \udcff bytes\n",
        "2027-02-07\toff\n",
    ])
    assert swaps == [Swap(date(2027, 1, 30), WORK, "Làm bù"),
                     Swap(date(2027, 2, 3), OFF, "same again is fine"),
                     Swap(date(2027, 2, 7), OFF, "")]
    assert [(b.line, b.problem) for b in bad] == [
        (6, "'2027-02-31' is not a date (YYYY-MM-DD)"),
        (7, "'nghi' should be 'off' or 'work'"),
        (8, "2027-02-03 is already 'off' on line 2"),
        (10, "1999-01-01: year out of range (2000-2100)"),
        (11, "expected date,off|work,reason"),
        (12, "not UTF-8 (save the file as CSV UTF-8)"),
    ]


def test_a_file_without_header_starts_on_line_one():
    swaps, bad = read_swaps(["2027-01-30,work,Làm bù"])
    assert swaps == [Swap(date(2027, 1, 30), WORK, "Làm bù")] and bad == []


# The commands, on the app's database

def test_calendar_import_and_show(runner, service, tmp_path):
    path = tmp_path / "swaps.csv"
    path.write_text("date,kind,reason\n2027-02-03,off,Nghỉ bù Tết\n2027-01-30,work,Làm bù\n",
                    encoding="utf-8")
    result = runner.invoke(args=["calendar-import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2 swaps for 2027" in result.output
    assert not service.calendar().is_working_day(date(2027, 2, 3))
    shown = runner.invoke(args=["calendar-show", "2027"]).output.splitlines()
    assert "2027-01-30 work Làm bù" in shown
    assert "2027-02-03 off Nghỉ bù Tết" in shown
    assert "2027-02-06 off Tết Nguyên Đán" in shown
    assert shown == sorted(shown)
    assert all(line[:10] >= "2027-01-01" and line.split()[1] in ("off", "work") for line in shown)


def test_calendar_import_refuses_a_file_with_a_wrong_line_and_stores_nothing(runner, service, tmp_path):
    path = tmp_path / "swaps.csv"
    path.write_text("2027-02-03,off,Nghỉ bù\n2027-13-01,off,bad\n", encoding="utf-8")
    result = runner.invoke(args=["calendar-import", str(path)])
    assert result.exit_code == 1
    assert "line 2: '2027-13-01' is not a date (YYYY-MM-DD)" in result.output
    assert "nothing imported" in result.output
    assert service.calendar().is_working_day(date(2027, 2, 3))


def test_calendar_import_replace_forgets_the_years_earlier_swaps(runner, service, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("2027-02-03,off,by mistake\n2028-01-03,off,other year\n", encoding="utf-8")
    second.write_text("2027-02-12,off,the right day\n", encoding="utf-8")
    assert runner.invoke(args=["calendar-import", str(first)]).exit_code == 0
    result = runner.invoke(args=["calendar-import", "--replace", str(second)])
    assert "removed 1 earlier swaps of 2027" in result.output
    working = service.calendar()
    assert working.is_working_day(date(2027, 2, 3))
    assert not working.is_working_day(date(2027, 2, 12))
    assert not working.is_working_day(date(2028, 1, 3))


def test_calendar_show_wants_a_year(runner):
    assert runner.invoke(args=["calendar-show", "1990"]).exit_code == 2


@pytest.mark.parametrize("day, after, before", [
    (date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 23)),  # a Monday: itself
    (date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 23)),  # Vietnam Culture Day
    (date(2026, 11, 28), date(2026, 11, 30), date(2026, 11, 27)),  # a Saturday
])
def test_the_working_day_on_or_after_and_on_or_before(day, after, before):
    working = WorkingCalendar()
    assert (working.next_working_day(day), working.previous_working_day(day)) == (after, before)
