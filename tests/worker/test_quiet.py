"""Quiet hours with a fixed clock: no text between 21:00 and 07:00 in Ha Noi."""

from datetime import UTC, datetime

import pytest

from worker import quiet

NIGHT = quiet.parse("21:00-07:00")



@pytest.mark.parametrize("moment, expected", [
    (datetime(2026, 11, 20, 3, 0, tzinfo=UTC), datetime(2026, 11, 20, 3, 0, tzinfo=UTC)),     # 10:00
    (datetime(2026, 11, 20, 13, 59, tzinfo=UTC), datetime(2026, 11, 20, 13, 59, tzinfo=UTC)),  # 20:59
    (datetime(2026, 11, 20, 14, 0, tzinfo=UTC), datetime(2026, 11, 21, 0, 0, tzinfo=UTC)),     # 21:00
    (datetime(2026, 11, 20, 16, 30, tzinfo=UTC), datetime(2026, 11, 21, 0, 0, tzinfo=UTC)),    # 23:30
    (datetime(2026, 11, 20, 19, 0, tzinfo=UTC), datetime(2026, 11, 21, 0, 0, tzinfo=UTC)),     # 02:00
    (datetime(2026, 11, 20, 23, 59, tzinfo=UTC), datetime(2026, 11, 21, 0, 0, tzinfo=UTC)),    # 06:59
    (datetime(2026, 11, 21, 0, 0, tzinfo=UTC), datetime(2026, 11, 21, 0, 0, tzinfo=UTC)),      # 07:00
])
def test_night_defers_to_seven_in_the_morning(moment, expected):
    assert NIGHT.next_allowed(moment) == expected


def test_a_daytime_window_also_works():
    lunch = quiet.parse("12:00-13:30")
    assert lunch.next_allowed(datetime(2026, 11, 20, 5, 15, tzinfo=UTC)) == datetime(2026, 11, 20, 6, 30,
                                                                                        tzinfo=UTC)
    assert not lunch.contains(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_turns_quiet_hours_off(text):
    assert quiet.parse(text) is None
    moment = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    assert quiet.next_allowed(quiet.parse(text), moment) == moment


@pytest.mark.parametrize("text", ["21-07", "21:00", "25:00-07:00", "07:00-07:00", "nine-seven"])
def test_malformed_quiet_hours_are_refused(text):
    with pytest.raises(ValueError, match="QUIET_HOURS"):
        quiet.parse(text)
