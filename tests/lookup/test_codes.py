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
