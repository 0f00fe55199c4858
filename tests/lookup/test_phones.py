import pytest

from lookup import phones


@pytest.mark.parametrize(("typed", "e164"), [
    ("0912345678", "+84912345678"),
    ("091 234 5678", "+84912345678"),
    ("+84 912 345 678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("0084912345678", "+84912345678"),
    ("(091) 234-5678", "+84912345678"),
    ("01662345678", "+84362345678"),  # Viettel 0166 → 036 (2018)
    ("+841282345678", "+84782345678"),  # MobiFone 0128 → 078
    ("01232345678", "+84832345678"),  # VinaPhone 0123 → 083
    ("01882345678", "+84582345678"),  # Vietnamobile 0188 → 058
    ("01992345678", "+84592345678"),  # Gmobile 0199 → 059
    ("024 3825 3535", "+842438253535"),  # Hà Nội landline
])
def test_to_e164(typed, e164):
    assert phones.to_e164(typed) == e164


@pytest.mark.parametrize("typed", ["", None, "12345", "abc", "0" * 30, "+1 202 555", "09123"])
def test_not_a_number(typed):
    with pytest.raises(phones.InvalidPhone):
        phones.to_e164(typed)


def test_same_number():
    assert phones.same_number("0912345678", "+84912345678")
    assert not phones.same_number("0912345678", "0912345679")
    assert not phones.same_number("garbage", "+84912345678")
