"""Dossier codes as people type them, and the forms we index them under.

Offices use different formats (`000.00.04.H40-230414-0002` is only the most common), so
nothing here hard-codes one. A code is kept in three forms:

* the **display form**, what the office issued, tidied (upper case, ASCII, no spaces);
* the **match key**, letters and digits only, with `O` read as `0`, so a code typed with
  missing dots, extra dashes or a letter O still finds its dossier;
* the **keypad form**, digits only, as a phone keypad types it (ABC→2 … WXYZ→9).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CODE_LENGTH = 64
MIN_KEY_LENGTH = 6

_KEYPAD = {
    **dict.fromkeys("ABC", "2"),
    **dict.fromkeys("DEF", "3"),
    **dict.fromkeys("GHI", "4"),
    **dict.fromkeys("JKL", "5"),
    **dict.fromkeys("MNO", "6"),
    **dict.fromkeys("PQRS", "7"),
    **dict.fromkeys("TUV", "8"),
    **dict.fromkeys("WXYZ", "9"),
}
_SEPARATORS = ".-_/"
# On a tidied code (ASCII letters, digits, separators) one translate gives each form.
_MATCH_TABLE = str.maketrans({"O": "0"} | dict.fromkeys(_SEPARATORS))
_KEYPAD_TABLE = str.maketrans(_KEYPAD | dict.fromkeys(_SEPARATORS))
# Dashes and dots people paste from word processors and phones.
_SEPARATOR_TABLE = str.maketrans({c: "-" for c in "‐‑‒–—―−"} | {"·": ".", "。": "."})
_ALLOWED = re.compile(r"^[A-Z0-9.\-_/]+$")
_PROCEDURE_CODE = re.compile(r"^\d\.\d{6}\.[A-Z0-9]{3}$")
_DIGIT = re.compile(r"\d")
_PHONE_NUMBER = re.compile(r"^(?:\+?84|0)\d{9,10}$")
# What separates codes typed together in one field or one text.
_BETWEEN_CODES = re.compile(r"[\s,;]+")
_ENDS_IN_A_NUMBER = re.compile(r"[.\-_/]\d{3,}$")
_LETTER = re.compile(r"[A-Z]")


class InvalidCode(ValueError):
    """What someone typed cannot be a dossier code; `reason` says why, for the reply."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


# Reasons, as stable identifiers that channels turn into words.
EMPTY = "empty"
TOO_LONG = "too_long"
TOO_SHORT = "too_short"
BAD_CHARACTERS = "bad_characters"
NO_DIGITS = "no_digits"
PROCEDURE_CODE = "procedure_code"
PHONE_NUMBER = "phone_number"
SEVERAL_CODES = "several_codes"
# Not raised by parse(): what `incomplete` finds in a code that was not found.
AGENCY_CUT = "agency_cut"
NO_AGENCY = "no_agency"


@dataclass(frozen=True)
class DossierCode:
    display: str
    match_key: str
    keypad: str


def tidy(text: str) -> str:
    """Full-width to ASCII, upper case, odd dashes to '-', whitespace removed."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_SEPARATOR_TABLE)
    return "".join(text.split()).upper()


def match_key(text: str) -> str:
    """Letters and digits only, `O` read as `0`: what two spellings of one code share."""
    return _only_ascii_alnum(tidy(text)).translate(_MATCH_TABLE)


def keypad_form(text: str) -> str:
    """The digits a phone keypad types for this code, separators dropped."""
    return _only_ascii_alnum(tidy(text)).translate(_KEYPAD_TABLE)


def _only_ascii_alnum(text: str) -> str:
    if _ALLOWED.match(text):
        return text
    return "".join(c for c in text if c.isascii() and c.isalnum())


def looks_whole(text: str) -> bool:
    """Looks like a whole code on its own (`…-230414-0002`), not a piece of one: long enough,
    and ending in a number after a separator. The SMS channel splits texts with it too."""
    return len(match_key(text)) >= 12 and bool(_ENDS_IN_A_NUMBER.search(tidy(text)))


def several(text: str) -> bool:
    """Two or more whole codes typed together (`A B`, `A, B`, `A; B`): not one code in pieces."""
    if not _BETWEEN_CODES.search(text.strip()):
        return False
    return sum(1 for piece in _BETWEEN_CODES.split(text) if piece and looks_whole(piece)) >= 2


def parse(text: str | None) -> DossierCode:
    """Normalise a code as typed, or raise InvalidCode with a specific reason."""
    if text is None or not text.strip():
        raise InvalidCode(EMPTY)
    if len(text) <= MAX_CODE_LENGTH * 8 and several(text):
        raise InvalidCode(SEVERAL_CODES)
    if len(text) > MAX_CODE_LENGTH * 2:
        raise InvalidCode(TOO_LONG)
    display = tidy(text).strip(_SEPARATORS)
    if not display:
        raise InvalidCode(EMPTY)
    if len(display) > MAX_CODE_LENGTH:
        raise InvalidCode(TOO_LONG)
    if _PHONE_NUMBER.match(display):
        raise InvalidCode(PHONE_NUMBER)
    if not _ALLOWED.match(display):
        raise InvalidCode(BAD_CHARACTERS)
    if _PROCEDURE_CODE.match(display):
        raise InvalidCode(PROCEDURE_CODE)
    key = display.translate(_MATCH_TABLE)
    if not _DIGIT.search(display):
        raise InvalidCode(NO_DIGITS)
    if len(key) < MIN_KEY_LENGTH:
        raise InvalidCode(TOO_SHORT)
    return DossierCode(display=display, match_key=key, keypad=display.translate(_KEYPAD_TABLE))


@dataclass(frozen=True)
class Incomplete:
    """A code that was not found and seems to lack its start, the office's e-ID."""

    reason: str  # AGENCY_CUT (only its end was typed, e.g. `H40-…`) or NO_AGENCY (none at all)
    # The code with the one office's e-ID it can belong to in front, when there is one.
    example: str = ""


def incomplete(code: DossierCode, agency_ids: list[str] | tuple[str, ...]) -> Incomplete | None:
    """Whether a code that was not found lacks the office's e-ID at its start, judged against
    the e-IDs of the offices we know (formats are data: nothing here knows one).

    Cut: the code starts with the end of a known e-ID, from a dot on and with its letter
    (`H40-261102-0001`, `04.H40-…` for `000.00.04.H40`). Missing: it has no letter at all
    while every known e-ID has one. A code that starts with a whole known e-ID is neither.
    Only for codes not found: a dossier that exists is never questioned.
    """
    key = code.match_key
    offices: dict[str, str] = {}
    for agency_id in agency_ids:
        agency = tidy(agency_id)
        if key.startswith(match_key(agency)):
            return None
        parts = agency.split(".")
        for cut in range(1, len(parts)):
            end = ".".join(parts[cut:])
            if _LETTER.search(end) and key.startswith(match_key(end)):
                offices[agency] = ".".join(parts[:cut]) + "." + code.display
                break
    if offices:
        examples = set(offices.values())
        return Incomplete(AGENCY_CUT, examples.pop() if len(examples) == 1 else "")
    if agency_ids and not _LETTER.search(code.display) and all(_LETTER.search(tidy(a)) for a in agency_ids):
        return Incomplete(NO_AGENCY)
    return None


def keypad_entry(digits: str) -> str:
    """What the caller keyed, reduced to digits (the IVR's `#` and `*` are the flow's business)."""
    return "".join(c for c in digits if c.isdigit())
