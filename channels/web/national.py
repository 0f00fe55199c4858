"""The national portal's sync format in: `POST /api/v1/dvcqg/dossiers` (DongBoHoSoMC) and
`POST /api/v1/dvcqg/progress` (CapNhatTienDoHoSoMC), on the ingest API's blueprint.

The envelope is checked as a whole (key, madonvi, service, data); then each item is taken or
refused on its own and answered in order, so one bad item never sinks the others. Items go
through the same core calls as PUT and POST (`Service.put_dossier`, `Service.add_event`).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import g, jsonify

from channels.web.api import blueprint, error, json_body, receipt_body, require_key, service, write_slot
from lookup import national
from lookup.ingest import FieldError
from lookup.privacy import mask_code
from lookup.service import Forbidden
from lookup.store import Busy

log = logging.getLogger(__name__)
TAKEN = "0"


@blueprint.post("/dvcqg/dossiers")
@require_key
@write_slot
def national_dossiers() -> Any:
    agency, items = _envelope(national.DOSSIERS)
    if not isinstance(agency, str):
        return agency
    results = [_dossier(item, agency) for item in items]
    return _answer(national.DOSSIERS, results)


@blueprint.post("/dvcqg/progress")
@require_key
@write_slot
def national_progress() -> Any:
    agency, items = _envelope(national.PROGRESS)
    if not isinstance(agency, str):
        return agency
    results = [_progress(item) for item in items]
    return _answer(national.PROGRESS, results)


def _envelope(name: str) -> tuple[Any, list[Any]]:
    """(madonvi, items), or (an error answer, []) when the envelope itself is refused."""
    try:
        agency, items = national.envelope(json_body(), name)
    except FieldError as bad:
        return error(400 if bad.field == "body" else 422, "invalid_field", f"{bad.field}: {bad.problem}",
                     field=bad.field, problem=bad.problem), []
    if not service().may_write(g.key_agency, agency):
        return error(403, "forbidden", "madonvi is not the agency of this key", field="madonvi"), []
    return agency, items


def _dossier(item: Any, agency: str) -> dict[str, Any]:
    code = national.item_code(item)
    try:
        fields = national.dossier_fields(item, agency)
        result = service().put_dossier(fields, g.key_agency)
    except Exception as failed:  # noqa: BLE001 - each item is answered on its own
        return _refused(code, failed, national.DOSSIER_FIELDS)
    receipt = receipt_body(result)
    return {"MaHoSo": code, "error_code": TAKEN, "created": result.created, "pin": receipt["pin"],
            "qr_url": receipt["qr_url"]}


def _progress(item: Any) -> dict[str, Any]:
    code = national.item_code(item)
    try:
        raw_code, event = national.event_fields(item)
        change = service().add_event(raw_code, event, g.key_agency)
    except Exception as failed:  # noqa: BLE001 - each item is answered on its own
        return _refused(code, failed, national.PROGRESS_FIELDS)
    if change is None:
        return {"MaHoSo": code, "error_code": "not_found", "field": "MaHoSo",
                "problem": "no dossier with this code; sync it first (DongBoHoSoMC)"}
    return {"MaHoSo": code, "error_code": TAKEN, "stored": change.event_id is not None}


def _refused(code: str, failed: Exception, names: dict[str, str]) -> dict[str, Any]:
    if isinstance(failed, FieldError):
        field = names.get(failed.field, failed.field)
        return {"MaHoSo": code, "error_code": "invalid_field", "field": field, "problem": failed.problem}
    if isinstance(failed, Forbidden):
        refused = {"MaHoSo": code, "error_code": "forbidden", "problem": str(failed)}
        return {**refused, "field": names.get(failed.field, failed.field)} if failed.field else refused
    if isinstance(failed, Busy):
        return {"MaHoSo": code, "error_code": "busy", "problem": "the database is busy; send it again"}
    log.error("national sync item %s failed", mask_code(code), exc_info=failed)
    return {"MaHoSo": code, "error_code": "internal_error",
            "problem": "not saved because of a problem on our side; send it again"}


def _answer(name: str, results: list[dict[str, Any]]) -> Any:
    taken = sum(r["error_code"] == TAKEN for r in results)
    log.info("%s from %s: %d items taken, %d refused", name, g.key_agency, taken, len(results) - taken)
    # "00": what provincial systems check before they send the next batch.
    return jsonify({"error_code": "00" if taken == len(results) else "01", "results": results})
