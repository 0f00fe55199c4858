"""Text as it arrives by SMS (any case, diacritics or not, emoji, junk) and as we send it out.

The one place that decides what a citizen reads in a text message, for replies and alerts alike
(and for any other channel that sends short texts):

* `fold` makes inbound text comparable with our keywords;
* `plain` makes outbound text GSM-7 ("không dấu"), which is what Vietnamese one-stop systems
  send and what fits 160 to a segment; `finish` applies it unless diacritics are wanted;
* `fit` builds a message from its parts within a number of segments: what the citizen must
  know or do is never dropped to save a segment, only what is merely useful is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from channels.sms.encoding import GSM7_BASIC, GSM7_EXTENSION, segments

# A message about one dossier is at most this many segments (two UCS-2 segments: 134 characters).
MAX_SEGMENTS = 2

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


def finish(text: str, diacritics: bool = False) -> str:
    """Outbound text: runs of spaces and line breaks made one space, and GSM-7 unless
    `diacritics` (then UCS-2 whenever a Vietnamese letter is in it)."""
    text = " ".join(text.split())
    return text if diacritics else plain(text)


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


# A wording is a finished text, or a function of the message's long value (perhaps shortened).
Wording = str | Callable[[str], str]


@dataclass(frozen=True)
class Part:
    """One piece of a message in its possible wordings, fullest first; any of them will do.

    A required part is always in the message (what the citizen must know or do); an optional
    one only when it fits in the segments the required ones take anyway.
    """

    wordings: tuple[Wording, ...]
    required: bool = True


def part(*wordings: Wording, required: bool = True) -> Part | None:
    """A Part of the wordings that say something; None when none does (a fact we lack)."""
    kept = tuple(w for w in wordings if w)
    return Part(kept, required) if kept else None


def fits(text: str, max_segments: int = 1, max_chars: int | None = None) -> bool:
    return segments(text).count <= max_segments and (max_chars is None or len(text) <= max_chars)


def fit(parts: Iterable[Part | str | None], *, value: str = "", max_segments: int = MAX_SEGMENTS,
        max_chars: int | None = None, separator: str = " ") -> str:
    """The message the parts make, in the fewest segments that hold every required part.

    Required parts take the fullest wording that keeps to the fewest segments (one where
    possible, `max_segments` at most); then each optional part joins, in its fullest wording
    that fits, only if it needs no extra segment. When the required parts do not fit
    `max_segments` even in their shortest wordings, `value` (the message's one long value,
    such as the office's note, passed to the wordings that are functions) is shortened at a
    word; only if that is not enough is the text itself cut. A plain string is a required
    part with one wording.
    """
    note = value
    items = [Part((p,)) if isinstance(p, str) else p for p in parts if p]
    items = [p for p in items if p.wordings]
    required = [i for i, p in enumerate(items) if p.required]
    optional = [i for i, p in enumerate(items) if not p.required]

    said: dict[tuple[int, int, str], str] = {}

    def words(index: int, n: int, note_text: str) -> str:
        wording = items[index].wordings[n]
        if not callable(wording):
            return wording
        key = (index, n, note_text)
        if key not in said:
            said[key] = wording(note_text)
        return said[key]

    def text(choice: dict[int, int], note_text: str) -> str:
        return separator.join(w for w in (words(i, choice[i], note_text) for i in sorted(choice)) if w)

    def shortest(after: int) -> dict[int, int]:
        return {i: len(items[i].wordings) - 1 for i in required if i > after}

    def with_required(limit: int, note_text: str) -> dict[int, int] | None:
        chosen: dict[int, int] = {}
        for index in required:
            for n in range(len(items[index].wordings)):
                if fits(text({**chosen, index: n, **shortest(index)}, note_text), limit, max_chars):
                    chosen[index] = n
                    break
            else:
                return None
        return chosen

    def with_optional(chosen: dict[int, int], limit: int, note_text: str) -> str:
        for index in optional:
            for n in range(len(items[index].wordings)):
                if fits(text({**chosen, index: n}, note_text), limit, max_chars):
                    chosen = {**chosen, index: n}
                    break
        return text(chosen, note_text)

    everything = text({i: 0 for i in range(len(items))}, note)
    if fits(everything, 1, max_chars):  # the usual case: all of it, fullest, in one segment
        return everything
    for limit in range(1, max_segments + 1):
        chosen = with_required(limit, note)
        if chosen is not None:
            return with_optional(chosen, limit, note)
    # Too long even at the shortest: the longest value that lets the shortest wordings fit
    # (the value is what the citizen needs, a wording only how it is put), then the fullest
    # wordings that still fit with it. Nothing optional is added at the value's expense.
    fullest = {i: 0 for i in required}
    if note:
        shortest_all = shortest(-1)
        low, high, best = 0, len(note) - 1, None
        while low <= high:
            middle = (low + high) // 2
            if fits(text(shortest_all, shorten(note, middle)), max_segments, max_chars):
                best, low = middle, middle + 1
            else:
                high = middle - 1
        if best is not None and best >= min(len(note), 20):
            cut = shorten(note, best)
            return text(with_required(max_segments, cut) or shortest_all, cut)
    whole = text(fullest, note)
    low, high, best = 0, len(whole), 0
    while low <= high:
        middle = (low + high) // 2
        if fits(shorten(whole, middle), max_segments, max_chars):
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return shorten(whole, best)
