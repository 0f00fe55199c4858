"""Which channel carries an alert (worker/routing.py): pure tables."""

import pytest

from worker.routing import Routing, parse_channels, parse_templates


@pytest.mark.parametrize(("text", "channels"), [
    ("sms", ("sms",)), ("zalo,sms", ("zalo", "sms")), (" Zalo , SMS ", ("zalo", "sms")), ("zalo", ("zalo",)),
])
def test_channels(text, channels):
    assert parse_channels(text) == channels


def test_templates_by_the_issues_names_and_ours():
    assert parse_templates("ready=1,apology=6,reminder=7,overdue=9,ready.en=11") == {
        ("pickup", "vi"): "1", ("new_due_date", "vi"): "6", ("overdue", "vi"): "9",
        ("pickup_reminder", "vi"): "7", ("pickup", "en"): "11"}
    assert parse_templates("") == {}


ROUTING = Routing(("zalo", "sms"), {("pickup", "vi"): "1"})


@pytest.mark.parametrize(("kind", "lang", "phone", "first"), [
    ("pickup", "vi", "+84912345678", ("zalo", "")),
    ("pickup", "en", "+84912345678", ("sms", "zalo: no template for pickup in en (ZALO_TEMPLATES)")),
    ("fee_due", "vi", "+84912345678", ("sms", "zalo: no template for fee_due in vi (ZALO_TEMPLATES)")),
    ("pickup", "vi", "+15005550006", ("sms", "zalo: not a Vietnamese number")),
    ("pickup", "vi", "", ("sms", "zalo: not a Vietnamese number")),
])
def test_the_first_channel_that_can_carry_it(kind, lang, phone, first):
    assert ROUTING.first(kind, lang, phone) == first


def test_after_a_channel_comes_the_next_one_that_can_and_after_the_last_none():
    assert ROUTING.after("zalo", "pickup", "vi", "+84912345678") == ("sms", "")
    assert ROUTING.after("sms", "pickup", "vi", "+84912345678") == (None, "")
    assert Routing(("zalo",), {}).first("pickup", "vi", "+84912345678") == (
        None, "zalo: no template for pickup in vi (ZALO_TEMPLATES)")
