"""Vietnamese phone numbers to E.164, including the 11-digit mobile numbers renumbered in 2018."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from lookup.digits import ascii_digits

REGION = "VN"

# Ministry of Information and Communications, 2018: old 01xx mobile prefixes and their 0xx heirs.
RENUMBERED_2018 = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38",
    "169": "39",  # Viettel
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",  # MobiFone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",  # VinaPhone
    "186": "56", "188": "58",  # Vietnamobile
    "199": "59",  # Gmobile
}
_PUNCTUATION = re.compile(r"[\s().\-]")
# The shapes back-offices send most: checked without the full parser, which is slow in bulk.
_LOCAL_MOBILE = re.compile(r"^0([35789][0-9]{8})$")
_INTL_MOBILE = re.compile(r"^(?:\+|00)?84([35789][0-9]{8})$")
_OLD_MOBILE = re.compile(r"^(?:\+84|0084|84|0)(1[0-9]{2})([0-9]{7})$")


class InvalidPhone(ValueError):
    pass


def to_e164(text: str | None) -> str:
    """E.164 (`+84912345678`) for a number as people write it; InvalidPhone if it is not one."""
    if not text or not isinstance(text, str):
        raise InvalidPhone("empty")
    # Full-width or other scripts' digits are the same number; stored, it must be ASCII.
    compact = _PUNCTUATION.sub("", ascii_digits(text.strip()))
    if len(compact) > 20:
        raise InvalidPhone("too long")
    fast = _LOCAL_MOBILE.match(compact) or _INTL_MOBILE.match(compact)
    if fast:
        return "+84" + fast.group(1)
    return _parse(compact)


@lru_cache(maxsize=4096)
def _parse(compact: str) -> str:
    old = _OLD_MOBILE.match(compact)
    if old and old.group(1) in RENUMBERED_2018:
        compact = "0" + RENUMBERED_2018[old.group(1)] + old.group(2)
    try:
        number = phonenumbers.parse(compact, REGION)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone(str(error)) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_vietnamese_mobile(e164: str) -> bool:
    """A number our SMS short code can text: a Vietnamese mobile (+84 3x, 5x, 7x, 8x, 9x)."""
    return bool(_INTL_MOBILE.match(e164))


def same_number(a: str | None, b: str | None) -> bool:
    """True when both name one phone; anything unparsable matches nothing."""
    if not a or not b:
        return False
    try:
        return to_e164(a) == to_e164(b)
    except InvalidPhone:
        return False
