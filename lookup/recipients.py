"""One more phone for a dossier's alerts: a family member, or the volunteer who filed it.

Added by someone who proved the dossier is theirs (its PIN or the receipt's QR link); the new
number gets nothing but a code until it texts that code back, so nobody is signed up to texts
they did not ask for; STOP from it removes it, and the registered phone keeps its alerts.

A leaked PIN must not let a stranger text whomever they like, so: one extra phone per dossier;
while a code waits for its answer no other number can be asked; at most SENDS_PER_DAY codes per
dossier in 24 hours, however often it is removed and added again; a code lives CODE_LIFETIME
and MAX_TRIES wrong answers cancel it. These rules are pure functions of the stored row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=15)
MAX_TRIES = 5
SENDS_PER_DAY = 3
SEND_WINDOW = timedelta(hours=24)

# Why a phone cannot be added now.
INVALID_PHONE = "invalid_phone"
SAME_PHONE = "same_phone"  # the registered phone gets the alerts already
ALREADY = "already"  # another phone is confirmed: remove it first
WAITING = "waiting"  # a code sent to a phone still waits for its answer
TOO_MANY = "too_many"  # SENDS_PER_DAY codes in 24 hours
OPTED_OUT = "opted_out"  # the number texted STOP: START from it first

# What a texted code did.
CONFIRMED = "confirmed"
WRONG = "wrong"
CANCELLED = "cancelled"  # too many wrong codes: ask again on the page
EXPIRED = "expired"
NOTHING_WAITING = "nothing_waiting"


class Refused(Exception):
    """The phone cannot be added now; `until` says when it can be tried again, if known."""

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until


@dataclass(frozen=True)
class ExtraPhone:
    """What the dossier's page shows of its extra phone (to someone who proved it is theirs)."""

    masked: str
    confirmed: bool
    code_expires_at: datetime | None = None

    @classmethod
    def of(cls, phone: str | None, confirmed_at: datetime | None, code_expires_at: datetime | None,
           now: datetime) -> ExtraPhone | None:
        if not phone:
            return None
        if confirmed_at is not None:
            return cls(shown_phone(phone), True)
        if code_expires_at is not None and code_expires_at > now:
            return cls(shown_phone(phone), False, code_expires_at)
        return None  # a code that was never answered: as if never asked


@dataclass(frozen=True)
class Confirmation:
    """A code to text to a phone that was just added (the alerts outbox sends it)."""

    dossier_id: int
    dossier_code: str
    phone: str
    language: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Answer:
    """What a code texted in did; `dossier_code` is the dossier it was for, when known."""

    outcome: str
    dossier_code: str = ""
    tries_left: int = 0


def shown_phone(phone: str) -> str:
    """`+84912345678` → `0912***678`: enough for its owner to recognise it, as they write it."""
    local = "0" + phone[3:] if phone.startswith("+84") else phone
    return local[:4] + "***" + local[-3:] if len(local) > 7 else local


def new_code() -> str:
    return str(secrets.randbelow(10**CODE_DIGITS)).zfill(CODE_DIGITS)


def code_hash(dossier_id: int, code: str) -> str:
    return hashlib.sha256(f"{dossier_id}:{code}".encode()).hexdigest()


def code_matches(dossier_id: int, code: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(code_hash(dossier_id, code), stored_hash)


def check_add(existing: Any | None, phone: str, applicant_phone: str, opted_out: bool,
              now: datetime) -> tuple[int, datetime]:
    """May `phone` be sent a code for this dossier now? Raises Refused; else the count of codes
    sent in the current 24-hour window including this one, and the window's start.

    `existing` is the dossier's extra_recipients row (or None), `applicant_phone` the
    registered one in E.164, `opted_out` whether `phone` texted STOP."""
    if phone == applicant_phone:
        raise Refused(SAME_PHONE)
    if opted_out:
        raise Refused(OPTED_OUT)
    sends, since = 0, now
    if existing is not None:
        if existing.phone and existing.confirmed_at is not None:
            raise Refused(ALREADY)
        if existing.phone and existing.code_hash and existing.code_expires_at is not None \
                and existing.code_expires_at > now:
            raise Refused(WAITING, existing.code_expires_at)
        if existing.sends_since is not None and now - existing.sends_since < SEND_WINDOW:
            sends, since = existing.sends, existing.sends_since
            if sends >= SENDS_PER_DAY:
                raise Refused(TOO_MANY, since + SEND_WINDOW)
    return sends + 1, since


def answer(waiting: list[Any], code: str, now: datetime) -> tuple[Answer, Any | None, list[Any]]:
    """A code texted in by a phone, against that phone's rows still waiting for one.

    (what happened, the row it confirms or None, the rows whose tries to count). A wrong code
    counts against every code that phone is waiting on, so guessing is no cheaper there."""
    live = [row for row in waiting if row.code_expires_at is not None and row.code_expires_at > now]
    if not live:
        return Answer(EXPIRED if waiting else NOTHING_WAITING), None, []
    for row in live:
        if code_matches(row.dossier_id, code, row.code_hash):
            return Answer(CONFIRMED, row.dossier_code), row, []
    tries_left = min(MAX_TRIES - (row.tries + 1) for row in live)
    outcome = CANCELLED if tries_left <= 0 else WRONG
    return Answer(outcome, live[0].dossier_code if len(live) == 1 else "", max(tries_left, 0)), None, live
