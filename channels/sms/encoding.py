"""How many SMS segments a text costs, and in which encoding (3GPP TS 23.038).

GSM-7 fits 160 septets in one segment, 153 per part when concatenated; characters from the
extension table take two septets. Anything outside GSM-7 forces UCS-2: 70 UTF-16 units alone,
67 per part (an emoji takes two units).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
_NOT_GSM7 = re.compile("[^" + re.escape("".join(sorted(GSM7_BASIC | GSM7_EXTENSION))) + "]")
_EXTENSION = re.compile("[" + re.escape("".join(sorted(GSM7_EXTENSION))) + "]")
GSM7 = "gsm7"
UCS2 = "ucs2"
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class Segments:
    encoding: str
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    count: int


def is_gsm7(text: str) -> bool:
    return _NOT_GSM7.search(text) is None


def needs_ucs2(text: str) -> bool:
    return not is_gsm7(text)


def segments(text: str) -> Segments:
    """The encoding a phone network would use for `text` and how many segments it takes."""
    if is_gsm7(text):
        encoding = GSM7
        units = len(text) + len(_EXTENSION.findall(text))
    else:
        encoding = UCS2
        units = len(text.encode("utf-16-le")) // 2
    if units <= SINGLE[encoding]:
        count = 1 if units else 0
    else:
        count = -(-units // PART[encoding])
    return Segments(encoding, units, count)
