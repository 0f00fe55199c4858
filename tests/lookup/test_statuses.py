from datetime import UTC, datetime, timedelta

import pytest

from lookup import messages, statuses

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def test_the_ten_statuses_of_the_domain():
    assert statuses.CODES == (
        "registered", "received", "not_accepted", "processing", "supplement_requested",
        "fee_due", "withdrawn", "stopped", "ready", "returned",
    )


@pytest.mark.parametrize("code", [*statuses.CODES, statuses.OVERDUE])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_status_has_words_and_a_next_step(code, lang):
    assert messages.status_label(code, lang)
    assert messages.next_step(code, lang, overdue=code == statuses.OVERDUE).endswith(".")


@pytest.mark.parametrize("code", statuses.CODES)
def test_vietnamese_is_translated(code):
    assert messages.status_label(code, "vi") != messages.status_label(code, "en")
    assert messages.next_step(code, "vi") != messages.next_step(code, "en")


@pytest.mark.parametrize(("status", "due_in", "overdue"), [
    ("processing", -1, True),
    ("received", -1, True),
    ("supplement_requested", -1, True),
    ("processing", +1, False),
    ("ready", -1, False),
    ("returned", -1, False),
    ("withdrawn", -1, False),
    ("not_accepted", -1, False),
    ("stopped", -1, False),
])
def test_overdue_is_derived(status, due_in, overdue):
    assert statuses.is_overdue(status, NOW + timedelta(days=due_in), NOW) is overdue


def test_no_due_date_is_never_overdue():
    assert statuses.is_overdue("processing", None, NOW) is False


@pytest.mark.parametrize("value, status", [
    (1, "registered"), ("2", "received"), (" 4 ", "processing"), ("9", "ready"), (10, "returned"),
])
def test_national_codes_read(value, status):
    assert statuses.from_national(value) == status
    assert statuses.NATIONAL_CODE[status] == int(str(value).strip())


@pytest.mark.parametrize("value", [0, 11, "", "4a", "٤", None, True, 4.0, "-1"])
def test_what_is_not_a_national_code(value):
    with pytest.raises(ValueError):
        statuses.from_national(value)


def test_the_national_list_maps_one_to_one():
    assert sorted(statuses.NATIONAL) == list(range(1, 11))
    assert set(statuses.NATIONAL.values()) == set(statuses.CODES)
