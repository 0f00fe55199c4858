"""Personal data kept out of logs: phone numbers and dossier codes, masked one way everywhere.

A dossier code is a guessable key to someone's dossier and a phone number is personal, so no
log line holds either in full. Call sites mask what they name (`mask_phone`, `mask_code`);
`scrub` catches what arrives inside free text (a provider's error message, a text's body), and
`ScrubbingFilter` applies it to every record our log handlers write.
"""

from __future__ import annotations

import logging
import re

# Runs of what a code is made of; `_mask_code_match` decides which of them are codes.
_TOKEN = re.compile(r"[A-Za-z0-9._/-]++\**", re.ASCII)
_ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT", re.ASCII)
# An office's own e-ID (000.00.04.H40) is no one's personal data: logs say which office acted.
_AGENCY_ID = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$", re.ASCII)
_MIN_CODE_LENGTH = 10
# Vietnamese and international numbers as people and providers write them.
_PHONE_LIKE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d .()-]{7,16}\d(?!\w)", re.ASCII)
_MIN_PHONE_DIGITS = 9


def mask_phone(phone: str) -> str:
    """`+84912345678` → `+8491234****`."""
    return phone[:-4] + "****" if len(phone) > 6 else "****"


def mask_code(code: str) -> str:
    """`000.00.04.H40-261102-0001` → `000.00.04.H40-26110******`: the office part stays."""
    return code[: max(len(code) - 6, 0)] + "******"


def scrub(text: str) -> str:
    """Phone numbers and code-like tokens in free text, masked."""
    text = _TOKEN.sub(_mask_code_match, text)
    return _PHONE_LIKE.sub(_mask_phone_match, text)


def _mask_code_match(match: re.Match) -> str:
    """A code as we write them (upper case, see lookup.codes): capitals and digits with
    separators, at least one of each; not an ISO date-time, nor something masked already."""
    token = match[0]
    core = token.rstrip("._/-")
    if (token.endswith("*") or len(core) < _MIN_CODE_LENGTH or not core.isupper()
            or not any(c.isdigit() for c in core) or not any(c in "._/-" for c in core)
            or _ISO_MOMENT.match(core) or _AGENCY_ID.match(core)):
        return token
    return mask_code(core) + token[len(core):]


def _mask_phone_match(match: re.Match) -> str:
    digits = sum(ch.isdigit() for ch in match[0])
    return mask_phone(match[0]) if digits >= _MIN_PHONE_DIGITS else match[0]


class ScrubbingFilter(logging.Filter):
    """Masks phones and codes in the final message of every record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as it would
            return True
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def scrub_handlers(logger: logging.Logger) -> None:
    """Put the filter on each of `logger`'s handlers (once)."""
    for handler in logger.handlers:
        if not any(isinstance(f, ScrubbingFilter) for f in handler.filters):
            handler.addFilter(ScrubbingFilter())


__all__ = ["ScrubbingFilter", "mask_code", "mask_phone", "scrub", "scrub_handlers"]
