"""The National Public Service Portal's sync format (DVCQG), read into our own ingest.

Provincial one-stop systems push every dossier to the national portal as `DongBoHoSoMC`
items and every processing step as `CapNhatTienDoHoSoMC` items, inside an envelope
`{"madonvi": <agency e-ID>, "service": <name>, "data": [...]}`. An office that points that
sync at us feeds tracuu without new code. Each item is turned into the body our own ingest
takes and checked by the very same functions (`lookup.ingest`); a problem is reported under
the national field's name. Pure: no database.

Observed in public integration code (see docs/national.md): every value is a string, dates
are `yyyyMMddHHmmss` in Vietnam time, an absent optional value is often "" and lists often
[]; the envelope also carries `session` (the portal's token) and `isUpdating`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from lookup import codes, ingest, statuses
from lookup.clock import parse_moment
from lookup.ingest import DossierFields, EventFields, FieldError

DOSSIERS = "DongBoHoSoMC"
PROGRESS = "CapNhatTienDoHoSoMC"
MAX_ITEMS = 500

_MOMENT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$")

# Our ingest's field -> the national item's, to report a problem where the office sent it.
DOSSIER_FIELDS = {
    "code": "MaHoSo",
    "procedure_name": "TenTTHC",
    "applicant_name": "ChuHoSo",
    "applicant_phone": "SoDienThoai",
    "received_at": "NgayTiepNhan",
    "due_at": "NgayHenTra",
    "status": "TrangThaiHoSo",
    "status_at": "NgayTra",
    "handling_office": "DonViXuLy",
    "note": "GhiChu",
    "agency_id": "madonvi",
    "body": "data",
}
PROGRESS_FIELDS = {
    "code": "MaHoSo",
    "status": "TrangThai",
    "at": "ThoiDiemXuLy",
    "note": "NoiDungXuLy",
    "office": "PhongBanXuLy",
    "body": "data",
}


class ItemError(FieldError):
    """One item is wrong; `field` is the national field's name."""


def envelope(body: Any, service: str) -> tuple[str, list[Any]]:
    """(madonvi, items) of a request for `service`; FieldError for the envelope itself."""
    body = ingest.require_object(body)
    named = body.get("service")
    if named not in (None, "", service):
        raise FieldError("service", f"this address takes '{service}'")
    agency = ingest.text(body, "madonvi", required=True, limit=64)
    items = body.get("data")
    if not isinstance(items, list):
        raise FieldError("data", "expected a list of items")
    if len(items) > MAX_ITEMS:
        raise FieldError("data", f"more than {MAX_ITEMS} items; send them in several requests")
    return agency, items


def item_code(item: Any) -> str:
    """The item's MaHoSo as sent (for the answer), or "" when there is none."""
    value = item.get("MaHoSo") if isinstance(item, dict) else None
    return value[:100] if isinstance(value, str) else ""


def moment(value: Any, name: str) -> str | None:
    """`yyyyMMddHHmmss` (or `yyyyMMdd`, meaning 17:00) in Vietnam time as ISO 8601, None if absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ItemError(name, "must be a string yyyyMMddHHmmss")
    found = _MOMENT.match(value.strip())
    if not found:
        raise ItemError(name, "not a date yyyyMMddHHmmss")
    year, month, day, hour, minute, second = found.groups()
    if hour is None:
        return f"{year}-{month}-{day}"
    try:
        datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        raise ItemError(name, "not a date yyyyMMddHHmmss") from None
    return f"{year}-{month}-{day}T{hour}:{minute}:{second}+07:00"


def status(value: Any, name: str) -> str:
    if value is None or value == "":
        raise ItemError(name, "is required")
    try:
        return statuses.from_national(value)
    except ValueError:
        raise ItemError(name, "unknown national status code; expected 1 to 10") from None


def dossier_fields(item: Any, agency: str) -> DossierFields:
    """A DongBoHoSoMC item as a dossier of `agency` (the envelope's madonvi)."""
    if not isinstance(item, dict):
        raise ItemError("data", "an item must be a JSON object")
    state = status(item.get("TrangThaiHoSo"), "TrangThaiHoSo")
    body: dict[str, Any] = {
        "agency_id": agency,
        "procedure_name": item.get("TenTTHC") or item.get("MaTTHC"),
        "applicant_name": item.get("ChuHoSo"),
        "applicant_phone": item.get("SoDienThoai"),
        "received_at": moment(item.get("NgayTiepNhan"), "NgayTiepNhan"),
        "due_at": moment(item.get("NgayHenTra"), "NgayHenTra"),
        "status": state,
        "handling_office": item.get("DonViXuLy"),
    }
    if state == "returned":
        # NgayTra is the day the result was handed over.
        body["status_at"] = moment(item.get("NgayTra"), "NgayTra")
    first_due = _first_due(item.get("DanhSachHoSoBoSung"))
    code = _code(item)
    try:
        fields = ingest.dossier_fields(code, {k: v for k, v in body.items() if v is not None})
    except FieldError as bad:
        raise ItemError(DOSSIER_FIELDS.get(bad.field, bad.field), bad.problem) from None
    if first_due is None:
        return fields
    if first_due < fields.received_at:
        raise ItemError("NgayHenTraTruoc", "is before NgayTiepNhan")
    return replace(fields, first_due_at=first_due)


def event_fields(item: Any) -> tuple[str, EventFields]:
    """A CapNhatTienDoHoSoMC item as (code as sent, event). NguoiXuLy and ChucDanh (the
    official's name and title) are not kept: no channel shows them."""
    if not isinstance(item, dict):
        raise ItemError("data", "an item must be a JSON object")
    code = _code(item)
    body = {
        "status": status(item.get("TrangThai"), "TrangThai"),
        "at": moment(item.get("ThoiDiemXuLy"), "ThoiDiemXuLy"),
        "note": item.get("NoiDungXuLy"),
        "office": item.get("PhongBanXuLy"),
    }
    try:
        return code, ingest.event_fields({k: v for k, v in body.items() if v is not None})
    except FieldError as bad:
        raise ItemError(PROGRESS_FIELDS.get(bad.field, bad.field), bad.problem) from None


def _code(item: dict[str, Any]) -> str:
    value = item.get("MaHoSo")
    if not isinstance(value, str) or not value.strip():
        raise ItemError("MaHoSo", "is required")
    try:
        codes.parse(value)
    except codes.InvalidCode as error:
        raise ItemError("MaHoSo", f"not a dossier code ({error.reason})") from None
    return value


def _first_due(requests: Any) -> datetime | None:
    """The first appointment date, from the supplement requests that moved it (NgayHenTraTruoc
    of the earliest one with a new date)."""
    if requests in (None, ""):
        return None
    if not isinstance(requests, list):
        raise ItemError("DanhSachHoSoBoSung", "expected a list")
    earlier = []
    for request in requests:
        if not isinstance(request, dict):
            raise ItemError("DanhSachHoSoBoSung", "each entry must be a JSON object")
        before = moment(request.get("NgayHenTraTruoc"), "NgayHenTraTruoc")
        moment(request.get("NgayHenTraMoi"), "NgayHenTraMoi")  # checked, the item's NgayHenTra is in force
        if before is not None:
            earlier.append(parse_moment(before))
    return min(earlier, default=None)
