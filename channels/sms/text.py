"""Text as it arrives by SMS (any case, diacritics or not, emoji, junk) and as we send it back.

`fold` makes inbound text comparable with our keywords; `plain` makes outbound text GSM-7
("không dấu"), which is what Vietnamese one-stop systems send and what fits 160 to a segment.
"""

from __future__ import annotations

import re
import unicodedata

from channels.sms.encoding import GSM7_BASIC, GSM7_EXTENSION

# Letters NFD does not decompose.
_BASE_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})
# Typography phones and word processors insert, and its GSM-7 stand-ins.
_TYPOGRAPHY = str.maketrans({
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "‘": "'", "’": "'", "‚": ",", "“": '"',
    "”": '"', "„": '"', "…": "...", "\u00a0": " ", "\u202f": " ", "•": "-", "·": ".", "×": "x",
    "\t": " ",
})
_NOT_GSM7 = re.compile("[^" + re.escape("".join(sorted(GSM7_BASIC | GSM7_EXTENSION))) + "]")


def _strip_slowly(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_BASE_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Every precomposed Latin letter with its diacritics dropped (Vietnamese lives in U+1EA0-1EF9),
# and stray combining marks removed: one str.translate instead of a walk over each character.
_STRIP = {cp: _strip_slowly(chr(cp)) for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))
          if _strip_slowly(chr(cp)) != chr(cp)}
_STRIP.update({cp: None for cp in range(0x300, 0x370)})
_PLAIN = {**_STRIP, **_TYPOGRAPHY}


def strip_diacritics(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_STRIP)


def fold(text: str) -> str:
    """Upper case ASCII-ish form for matching: `Tra cứu` → `TRA CUU`; emoji and controls → space."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_diacritics(text).translate(_TYPOGRAPHY)
    kept = [c if c.isprintable() and unicodedata.category(c)[0] in "LNPZ" else " " for c in text]
    return "".join(kept).upper()


def plain(text: str) -> str:
    """GSM-7 only: diacritics dropped, typography simplified, anything else replaced by `?`."""
    return _NOT_GSM7.sub("?", unicodedata.normalize("NFC", text).translate(_PLAIN))


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word where possible, with `..` to say so."""
    if len(text) <= limit:
        return text
    if limit <= 2:
        return text[:limit]
    cut = text[: limit - 2]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + ".."
