"""JSON APIs: the lookup for other apps, and the ingest the back-office pushes to.

Every answer is JSON, errors included: a field name and a problem the office's developers
can act on, never an HTML error page or a stack trace.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from channels.web.language import request_language
from channels.web.ratelimit import lookup_limit, seconds_to_wait
from lookup import codes, ingest, messages, qr
from lookup.ingest import FieldError
from lookup.messages import N_
from lookup.privacy import mask_code
from lookup.service import Forbidden, Service
from lookup.views import Proof

log = logging.getLogger(__name__)
blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"


def service() -> Service:
    return current_app.extensions["tracuu.service"]


def error(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": code, "message": message, **extra}), status


def not_found_body() -> tuple[Response, int]:
    """One body for an unknown code and for a wrong PIN: a guess learns nothing."""
    lang = request_language()
    return error(404, "not_found", messages.gettext(
        lang, N_("No dossier matches this code and PIN. Check the code on your receipt.")))


# Lookup

@blueprint.get("/lookup")
@lookup_limit
def lookup() -> Any:
    lang = request_language()
    pin = (request.args.get("pin") or "").strip()
    try:
        view = service().resolve(request.args.get("code"), Proof(pin=pin or None))
    except codes.InvalidCode as invalid:
        return error(400, "invalid_code", messages.gettext(lang, codes_reason(invalid.reason)),
                     field="code", problem=invalid.reason)
    if view is None:
        return not_found_body()
    body = view.as_dict(lang)
    body["language"] = lang
    return jsonify(body)


def codes_reason(reason: str) -> str:
    return CODE_REASONS.get(reason, CODE_REASONS[codes.BAD_CHARACTERS])


CODE_REASONS = {
    codes.EMPTY: N_("Please enter the dossier code printed on your receipt."),
    codes.TOO_LONG: N_("This is too long to be a dossier code."),
    codes.TOO_SHORT: N_("This is too short to be a dossier code."),
    codes.BAD_CHARACTERS: N_(
        "A dossier code has only letters, digits, dots and dashes."),
    codes.NO_DIGITS: N_("A dossier code contains digits."),
    codes.PROCEDURE_CODE: N_(
        "This is a procedure code, not a dossier code. The dossier code is on your receipt."),
    codes.PHONE_NUMBER: N_(
        "This looks like a phone number. Please enter the dossier code from your receipt."),
}


# Ingest

def require_key(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return error(401, "unauthorized", "Send 'Authorization: Bearer <api key>'.")
        agency = service().agency_for_key(key.strip())
        if agency is None:
            return error(401, "unauthorized", "Unknown or revoked API key.")
        g.key_agency = agency
        return view(*args, **kwargs)

    return wrapper


def json_body() -> Any:
    if request.mimetype != "application/json":
        raise FieldError("body", "send Content-Type: application/json")
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise FieldError("body", "not UTF-8") from None
    except json.JSONDecodeError as bad:
        where = f"line {bad.lineno} column {bad.colno}"
        raise FieldError("body", f"malformed JSON ({bad.msg} at {where})") from None
    except RecursionError:
        raise FieldError("body", "JSON nested too deeply") from None


@blueprint.put("/agencies/<agency_id>")
@require_key
def put_agency(agency_id: str) -> Any:
    values = ingest.agency_fields(json_body())
    service().put_agency(agency_id, values, g.key_agency)
    log.info("agency %s updated", agency_id)
    return jsonify({"id": agency_id, **values})


@blueprint.put("/dossiers/<code>")
@require_key
def put_dossier(code: str) -> Any:
    fields = ingest.dossier_fields(code, json_body())
    result = service().put_dossier(fields, g.key_agency)
    token = qr.make_token(result.code, current_app.config["SECRET_KEY"])
    log.info("dossier %s %s by %s", mask_code(result.code), "created" if result.created else "updated",
             g.key_agency)
    body = {
        "code": result.code,
        "pin": result.pin,
        "qr_url": f"{current_app.config['PUBLIC_BASE_URL']}/d/{token}",
        "created": result.created,
    }
    return jsonify(body), 201 if result.created else 200


@blueprint.post("/dossiers/<code>/events")
@require_key
def post_event(code: str) -> Any:
    event = ingest.event_fields(json_body())
    change = service().add_event(code, event, g.key_agency)
    if change is None:
        return error(404, "not_found", "No dossier with this code; PUT it first.", field="code")
    return jsonify({
        "code": code,
        "stored": change.event_id is not None,
        "status": change.status,
    }), 201 if change.event_id is not None else 200


@blueprint.get("/openapi.json")
def openapi() -> Any:
    return Response(OPENAPI_PATH.read_bytes(), mimetype="application/json")


# Errors: always JSON here

@blueprint.errorhandler(FieldError)
def field_error(bad: FieldError) -> Any:
    return error(400 if bad.field == "body" else 422, "invalid_field",
                 f"{bad.field}: {bad.problem}", field=bad.field, problem=bad.problem)


@blueprint.errorhandler(Forbidden)
def forbidden(denied: Forbidden) -> Any:
    return error(403, "forbidden", str(denied))


@blueprint.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Any:
    if exc.code == 429:
        lang = request_language()
        response, status = error(429, "rate_limited", messages.gettext(
            lang, N_("Too many lookups from your connection. Please wait a few minutes and try again.")))
        response.headers["Retry-After"] = str(seconds_to_wait())
        return response, status
    if exc.code == 413:
        return error(413, "too_large", "Request body too large.", field="body",
                     problem=f"larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes")
    return error(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description or exc.name)


def routing_error(exc: HTTPException) -> Any:
    """JSON for /api/ paths; anything else keeps the default (or the pages' own) answer."""
    if request.path.startswith(blueprint.url_prefix + "/"):
        return http_error(exc)
    return exc


@blueprint.errorhandler(Exception)
def unexpected(exc: Exception) -> Any:
    log.exception("unexpected error in %s %s", request.method, request.path)
    return error(500, "internal_error", "Something went wrong on our side; nothing was saved.")
