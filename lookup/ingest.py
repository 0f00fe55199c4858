"""Validation of what the back-office sends, shared by the ingest API and the CSV import.

Every check names the field and the problem, so the office's developers can fix their side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lookup import codes, phones, statuses
from lookup.clock import parse_moment
from lookup.digits import ascii_digits

MAX_TEXT = 500
MAX_NOTE = 1000
# Receipts' PINs, ASCII digits only (lookup.digits makes any script's digits ASCII first):
# fewer than 6 digits is a lock a guesser opens in minutes.
MIN_PIN_DIGITS = 6
_PIN = re.compile(r"^[0-9]{6,12}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class FieldError(ValueError):
    """One field is wrong; `field` and `problem` go back to the caller as they are."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class DossierFields:
    code: codes.DossierCode
    agency_id: str
    procedure_name_vi: str
    procedure_name_en: str
    applicant_name: str
    applicant_phone: str
    received_at: datetime
    due_at: datetime
    status: str
    status_at: datetime | None
    language: str
    pin: str | None
    note: str
    handling_office: str
    # The first appointment date, where the office has since moved it to `due_at` (the
    # national format's DanhSachHoSoBoSung/NgayHenTraTruoc); None when `due_at` is the first.
    first_due_at: datetime | None = None


@dataclass(frozen=True)
class EventFields:
    status: str
    at: datetime
    note: str
    due_at: datetime | None
    office: str


AGENCY_FIELDS = ("name_vi", "name_en", "address", "pickup_hours", "hotline")


def is_utf8(value: str) -> bool:
    """False for text read from bytes that were not UTF-8 (errors="surrogateescape" leaves lone
    surrogates in their place)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise FieldError("body", "expected a JSON object")
    return body


def text(body: dict[str, Any], name: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise FieldError(name, "is required")
        return ""
    if not isinstance(value, str):
        raise FieldError(name, "must be a string")
    value = value.strip()
    if required and not value:
        raise FieldError(name, "is required")
    if len(value) > limit:
        raise FieldError(name, f"is longer than {limit} characters")
    if _CONTROL.search(value):
        raise FieldError(name, "contains control characters")
    if not _encodable(value):
        raise FieldError(name, "is not valid Unicode text (it holds a lone surrogate)")
    return value


def _encodable(value: str) -> bool:
    """JSON's `\ud800` escapes decode to lone surrogates, which no database can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def moment(body: dict[str, Any], name: str, *, required: bool) -> datetime | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise FieldError(name, "is required")
        return None
    try:
        return parse_moment(value)
    except ValueError as error:
        raise FieldError(name, str(error)) from None


def status(body: dict[str, Any], name: str = "status") -> str:
    value = body.get(name)
    if value is None or value == "":
        raise FieldError(name, "is required")
    if not statuses.is_known(value):
        raise FieldError(name, "unknown status; expected one of " + ", ".join(statuses.CODES))
    return value


def dossier_code(raw: str) -> codes.DossierCode:
    try:
        return codes.parse(raw)
    except codes.InvalidCode as error:
        raise FieldError("code", f"not a dossier code ({error.reason})") from None


def agency_fields(body: Any) -> dict[str, str]:
    body = require_object(body)
    values = {name: text(body, name, required=(name == "name_vi")) for name in AGENCY_FIELDS}
    if values["hotline"] and len(values["hotline"]) > 32:
        raise FieldError("hotline", "is longer than 32 characters")
    return values


def dossier_fields(raw_code: str, body: Any) -> DossierFields:
    body = require_object(body)
    code = dossier_code(raw_code)
    try:
        phone = phones.to_e164(text(body, "applicant_phone", required=True, limit=40))
    except phones.InvalidPhone as error:
        raise FieldError("applicant_phone", f"not a Vietnamese phone number ({error})") from None
    received_at = moment(body, "received_at", required=True)
    due_at = moment(body, "due_at", required=True)
    if due_at < received_at:
        raise FieldError("due_at", "is before received_at")
    pin = body.get("pin")
    if pin is not None:
        if not isinstance(pin, str) or not _PIN.match(pin := ascii_digits(pin.strip())):
            raise FieldError("pin", f"must be a string of {MIN_PIN_DIGITS} to 12 digits")
    language = body.get("language", "vi")
    if language not in ("vi", "en"):
        raise FieldError("language", "must be 'vi' or 'en'")
    return DossierFields(
        code=code,
        agency_id=text(body, "agency_id", required=True, limit=64),
        procedure_name_vi=text(body, "procedure_name", required=True),
        procedure_name_en=text(body, "procedure_name_en", required=False),
        applicant_name=text(body, "applicant_name", required=True, limit=200),
        applicant_phone=phone,
        received_at=received_at,
        due_at=due_at,
        status=status(body),
        status_at=moment(body, "status_at", required=False),
        language=language,
        pin=pin,
        note=text(body, "note", required=False, limit=MAX_NOTE),
        handling_office=text(body, "handling_office", required=False),
    )


def event_fields(body: Any) -> EventFields:
    body = require_object(body)
    return EventFields(
        status=status(body),
        at=moment(body, "at", required=True),
        note=text(body, "note", required=False, limit=MAX_NOTE),
        due_at=moment(body, "due_at", required=False),
        office=text(body, "office", required=False),
    )
