"""Digits as people type them: any script's decimal digits (full-width from Asian keyboards,
Arabic-Indic, …) become ASCII, so what we store can be typed again on any keypad."""

from __future__ import annotations

import unicodedata


def ascii_digits(text: str) -> str:
    """`"０９１２"` → `"0912"`; every other character is kept as it is."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.digit(ch)) if ch.isdecimal() else ch for ch in text)
