"""Text as it arrives by SMS (any case, diacritics or not, emoji, junk) and as we send it back.

`fold` makes inbound text comparable with our keywords; `plain` makes outbound text GSM-7
("không dấu"), which is what Vietnamese one-stop systems send and what fits 160 to a segment.
"""

from __future__ import annotations

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
_KEEP_IN_GSM = GSM7_BASIC | GSM7_EXTENSION


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_BASE_LETTERS))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def fold(text: str) -> str:
    """Upper case ASCII-ish form for matching: `Tra cứu` → `TRA CUU`; emoji and controls → space."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_diacritics(text).translate(_TYPOGRAPHY)
    kept = [c if c.isprintable() and unicodedata.category(c)[0] in "LNPZ" else " " for c in text]
    return "".join(kept).upper()


def plain(text: str) -> str:
    """GSM-7 only: diacritics dropped, typography simplified, anything else replaced by `?`."""
    text = strip_diacritics(unicodedata.normalize("NFC", text)).translate(_TYPOGRAPHY)
    return "".join(c if c in _KEEP_IN_GSM else "?" for c in text)


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
