"""IVR_OFFICE_HOURS as offices write it."""

from __future__ import annotations

from datetime import datetime

import pytest

from channels.ivr import hours

SETTING = "Mon-Fri 07:30-11:30,13:30-17:00; Sat 08:00-11:30"


@pytest.mark.parametrize("moment, open_", [
    (datetime(2026, 11, 20, 10, 0), True),  # Friday morning
    (datetime(2026, 11, 20, 12, 0), False),  # lunch
    (datetime(2026, 11, 20, 13, 30), True),
    (datetime(2026, 11, 20, 17, 0), False),  # closing time is closed
    (datetime(2026, 11, 21, 9, 0), True),  # Saturday morning
    (datetime(2026, 11, 21, 14, 0), False),  # Saturday afternoon
    (datetime(2026, 11, 22, 9, 0), False),  # Sunday
    (datetime(2026, 11, 16, 7, 29), False),  # Monday, a minute early
])
def test_open_or_not(moment, open_):
    assert hours.parse(SETTING).is_open(moment) is open_


@pytest.mark.parametrize("setting", ["weekdays 9-5", "Mon-Fri 7-17", "Xyz 08:00-09:00", "Mon 8:00",
                                     "Mon-Fri"])
def test_unreadable_settings_are_refused(setting):
    with pytest.raises(ValueError):
        hours.parse(setting)
