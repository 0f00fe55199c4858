import pytest

from lookup import codes

CANONICAL = "000.00.04.H40-230414-0002"


@pytest.mark.parametrize("typed", [
    "000.00.04.H40-230414-0002",
    "000.00.04.h40-230414-0002",
    " 000.00.04.H40 - 230414 - 0002 ",
    "0000004H402304140002",
    "000 00 04 H40 230414 0002",
    "000.00.04.H40–230414—0002",  # en and em dashes from a word processor
    "０００.００.０４.Ｈ４０-２３０４１４-０００２",  # full-width, from a phone keyboard
    "OOO.OO.O4.H4O-23O414-OOO2",  # letter O for zero
    "000.00.04.H40--230414--0002.",
    "000.00.04.H40_230414_0002",
    "000.00.04.H40/230414/0002",
    "000.00.04.H40\t230414\n0002",
])
def test_spellings_of_one_code_share_a_match_key(typed):
    assert codes.parse(typed).match_key == codes.parse(CANONICAL).match_key


def test_display_form_is_tidy():
    assert codes.parse(" 000.00.04.h40-230414-0002 ").display == CANONICAL


@pytest.mark.parametrize(("code", "keypad"), [
    ("000.00.04.H40-230414-0002", "00000044402304140002"),
    ("ABC-DEF-GHI-JKL-MNO-PQRS-TUV-WXYZ-1", "222333444555666777788899991"),
    ("H17.20.31-261112-0001", "41720312611120001"),
])
def test_keypad_form(code, keypad):
    assert codes.keypad_form(code) == keypad


@pytest.mark.parametrize(("typed", "reason"), [
    ("", codes.EMPTY),
    ("   ", codes.EMPTY),
    (None, codes.EMPTY),
    ("---", codes.EMPTY),
    ("x" * 200, codes.TOO_LONG),
    ("A" * 65 + "1", codes.TOO_LONG),
    ("12345", codes.TOO_SHORT),
    ("H40-1", codes.TOO_SHORT),
    ("ABCDEFGH", codes.NO_DIGITS),
    ("1.000948.H38", codes.PROCEDURE_CODE),
    ("0912345678", codes.PHONE_NUMBER),
    ("+84912345678", codes.PHONE_NUMBER),
    ("000.00.04.H40-230414-0002; DROP TABLE dossiers", codes.BAD_CHARACTERS),
    ("<script>alert(1)</script>", codes.BAD_CHARACTERS),
    ("mã hồ sơ 123456", codes.BAD_CHARACTERS),
    ("000.00.04.H40-230414-0002 😀", codes.BAD_CHARACTERS),
    ("\x00\x01\x02123456", codes.BAD_CHARACTERS),
])
def test_garbage_is_rejected_with_a_reason(typed, reason):
    with pytest.raises(codes.InvalidCode) as caught:
        codes.parse(typed)
    assert caught.value.reason == reason


def test_keypad_entry_keeps_digits_only():
    assert codes.keypad_entry("0000#*12") == "000012"


@pytest.mark.parametrize("typed", [
    "000.00.04.H40-261102-0001 000.00.04.H40-261105-0002",
    "000.00.04.H40-261102-0001, 000.00.04.H40-261105-0002",
    "000.00.04.H40-261102-0001;000.00.04.H40-261105-0002",
    "000.00.04.H40-261102-0001\n000.00.04.H40-261105-0002\n000.00.12.H05-261028-0001",
])
def test_several_codes_in_one_field_are_named(typed):
    with pytest.raises(codes.InvalidCode) as caught:
        codes.parse(typed)
    assert caught.value.reason == codes.SEVERAL_CODES


@pytest.mark.parametrize("typed", [
    "000.00.04.H40 261102 0001",   # one code typed in pieces
    "000.00.04.H40-261102-0001",
    " 000.00.04.H40-261102-0001 ",
])
def test_one_code_in_pieces_is_one_code(typed):
    assert codes.parse(typed).match_key == "0000004H402611020001"


def test_sms_and_the_web_share_the_rule_for_a_whole_code():
    from channels.sms import commands

    assert codes.looks_whole("000.00.04.H40-261102-0001") and not codes.looks_whole("261102")
    found = commands.find_candidates("TC 000.00.04.H40-261102-0001 000.00.04.H40-261105-0002", 6)
    assert [c.text for c in found] == ["000.00.04.H40-261102-0001", "000.00.04.H40-261105-0002"]
    assert not hasattr(commands, "_complete")


OFFICES = ("000.00.04.H40", "000.00.12.H05", "000.20.31.H17")


@pytest.mark.parametrize("typed, offices, expected", [
    # Only the end of the office's e-ID: the whole code can be named.
    ("H40-261102-0001", OFFICES, codes.Incomplete(codes.AGENCY_CUT, "000.00.04.H40-261102-0001")),
    ("h40 261102 0001", OFFICES, codes.Incomplete(codes.AGENCY_CUT, "000.00.04.H402611020001")),
    ("04.H40-261102-0001", OFFICES, codes.Incomplete(codes.AGENCY_CUT, "000.00.04.H40-261102-0001")),
    # Two offices end alike: what is missing is said, not which office.
    ("H40-261102-0001", ("000.00.04.H40", "000.00.12.H40"), codes.Incomplete(codes.AGENCY_CUT)),
    # No e-ID at all.
    ("261102-0001", OFFICES, codes.Incomplete(codes.NO_AGENCY)),
    ("2611020001", OFFICES, codes.Incomplete(codes.NO_AGENCY)),
    # A whole e-ID: merely not found.
    ("000.00.04.H40-261102-0999", OFFICES, None),
    ("000.00.04.H40 261102 0999", OFFICES, None),
    # Another office's format, unknown to us: nothing to say.
    ("G22.98-240101-0001", OFFICES, None),
    # An office whose e-IDs have no letter may issue all-digit codes: no guess.
    ("261102-0001", ("000.00.04.H40", "12345"), None),
    ("261102-0001", (), None),
])
def test_a_code_missing_its_office_part(typed, offices, expected):
    assert codes.incomplete(codes.parse(typed), offices) == expected
