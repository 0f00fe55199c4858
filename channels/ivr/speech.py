"""Written text to what a speech engine should say: numbers, dates, times and code read-backs.

espeak-ng reads `8:00` as "eight zero zero" and cannot know that `1.250.000` is one number
in Vietnamese; we spell such things out in words first, so every prompt says them the same way
whether espeak or a person reads the script.
"""

from __future__ import annotations

import re
from datetime import date

_VI_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def _vi_below_thousand(n: int, full: bool) -> str:
    """0 < n < 1000; `full` when a higher group precedes it (so 5 is "không trăm linh năm")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_VI_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_VI_DIGITS[units])
        return " ".join(words)
    if tens == 1:
        words.append("mười")
    else:
        words += [_VI_DIGITS[tens], "mươi"]
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 4:
        words.append("bốn" if tens == 1 else "tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_VI_DIGITS[units])
    return " ".join(words)


def vi_number(n: int) -> str:
    """Vietnamese words for a non-negative integer: 2026 → "hai nghìn không trăm hai mươi sáu"."""
    if n == 0:
        return "không"
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    scales = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words.append(_vi_below_thousand(group, full=bool(words)))
        if scales[index]:
            words.append(scales[index])
    return " ".join(words)


def digits_aloud(digits: str) -> str:
    """A keyed code, digit by digit, in groups of three so the caller can follow: `0 0 0, 4 4 4`."""
    groups = [" ".join(digits[i:i + 3]) for i in range(0, len(digits), 3)]
    return ", ".join(groups)


def date_words(day: date, lang: str, with_year: bool = True) -> str:
    if lang == "vi":
        return f"ngày {day.day} tháng {day.month}" + (f" năm {day.year}" if with_year else "")
    return f"{day.day} {_EN_MONTHS[day.month - 1]}" + (f" {day.year}" if with_year else "")


_TIME_RANGE = re.compile(r"(\d{1,2})[:h](\d{2})\s*[–—-]\s*(\d{1,2})[:h](\d{2})")
_TIME = re.compile(r"\b(\d{1,2})[:h](\d{2})\b")
_GROUPED = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b")
_NUMBER = re.compile(r"\d+")
_DASH = re.compile(r"\s*[–—]\s*")


def _vi_time(hours: str, minutes: str) -> str:
    return f"{int(hours)} giờ" + (f" {int(minutes)}" if int(minutes) else "")


# Abbreviations offices write and people say in full.
_VI_ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "TTHC": "thủ tục hành chính",
    "TP.": "thành phố",
}
_ABBREVIATION = re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in _VI_ABBREVIATIONS) + r")(?!\w)")


def spoken(text: str, lang: str) -> str:
    """The words to synthesise for a written prompt."""
    if lang != "vi":
        text = _TIME_RANGE.sub(lambda m: f"{m[1]}:{m[2]} to {m[3]}:{m[4]}", text)
        return _DASH.sub(" to ", text)
    text = _ABBREVIATION.sub(lambda m: _VI_ABBREVIATIONS[m[1]], text)
    text = _TIME_RANGE.sub(lambda m: f"{_vi_time(m[1], m[2])} đến {_vi_time(m[3], m[4])}", text)
    text = _TIME.sub(lambda m: _vi_time(m[1], m[2]), text)
    text = _DASH.sub(" đến ", text)
    text = _GROUPED.sub(lambda m: m[0].replace(".", ""), text)
    return _NUMBER.sub(lambda m: _vi_number_text(m[0]), text)


def _vi_number_text(run: str) -> str:
    # A long run is an identifier (a phone number, a code): read digit by digit.
    if len(run) > 9 or (len(run) > 1 and run.startswith("0")):
        return " ".join(_VI_DIGITS[int(c)] for c in run)
    return vi_number(int(run))
