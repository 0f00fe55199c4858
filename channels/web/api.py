"""JSON APIs: the lookup for other apps, and the ingest the back-office pushes to.

Every answer is JSON, errors included: a field name and a problem the office's developers
can act on, never an HTML error page or a stack trace.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

import metrics
from channels.web.health import RETRY_AFTER_SECONDS, database_unavailable
from channels.web.language import request_language
from channels.web.problems import code_problem
from channels.web.ratelimit import lookup_limit, seconds_to_wait
from lookup import codes, ingest, messages, qr
from lookup.ingest import FieldError
from lookup.messages import N_
from lookup.pins import PinLocked
from lookup.privacy import mask_code
from lookup.service import Forbidden, PutResult, Service
from lookup.store import Busy
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

PIN_LOCKED = N_("Too many wrong PINs were entered for this dossier, so its PIN cannot be used for "
               "now. To see everything at once, scan the QR code on your receipt, text the dossier "
               "code from the phone number you gave the office, or ask at the one-stop desk.")


@blueprint.get("/lookup")
@lookup_limit
def lookup() -> Any:
    """Every answer, found or not, is no-store: a found one may hold a name and a timeline, and
    a cache on the way must not answer a later lookup of the same code with today's 404 or 400
    (both are cacheable by default)."""
    response = current_app.make_response(lookup_answer())
    response.headers["Cache-Control"] = "no-store"
    return response


def lookup_answer() -> Any:
    lang = request_language()
    pin = (request.args.get("pin") or "").strip()
    try:
        view = service().resolve(request.args.get("code"), Proof(pin=pin or None), channel="api")
    except codes.InvalidCode as invalid:
        metrics.lookup("api", "invalid")
        return invalid_code(lang, invalid.reason)
    except PinLocked as locked:
        metrics.lookup("api", "pin_locked")
        wait = locked.seconds_left(service().clock())
        response, status = error(429, "pin_locked", messages.gettext(lang, PIN_LOCKED), retry_after=wait)
        response.headers["Retry-After"] = str(wait)
        return response, status
    if view is None:
        missing = service().incomplete(request.args.get("code"))
        if missing is not None:
            metrics.lookup("api", "invalid")
            return invalid_code(lang, missing.reason, missing.example)
        metrics.lookup("api", "not_found")
        return not_found_body()
    metrics.lookup("api", "found")
    body = view.as_dict(lang)
    body["language"] = lang
    return jsonify(body)


def invalid_code(lang: str, reason: str, example: str = "") -> Any:
    """400: what was typed cannot be looked up as it is; `problem` says why (lookup.codes),
    `example` is the whole code when a cut one could only be that."""
    extra = {"example": example} if example else {}
    return error(400, "invalid_code", code_problem(lang, reason, example), field="code",
                 problem=reason, **extra)


# Ingest

@blueprint.after_request
def count_ingest(response: Response) -> Response:
    """Every request to an endpoint behind require_key is an ingest request, answered or not."""
    if g.get("ingest"):
        metrics.ingest(response.status_code)
    return response


def require_key(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.ingest = True
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


class TooLongNumber(str):
    """A JSON number too long to be anything we take (Python refuses past 4,300 digits): kept
    as it was written, so the field that holds it is refused by name like any wrong value."""


def _number(text: str) -> int | str:
    return int(text) if len(text) <= 30 else TooLongNumber(text)


def json_body() -> Any:
    if request.mimetype != "application/json":
        raise FieldError("body", "send Content-Type: application/json")
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw.decode("utf-8"), parse_int=_number)
    except UnicodeDecodeError:
        raise FieldError("body", "not UTF-8") from None
    except json.JSONDecodeError as bad:
        where = f"line {bad.lineno} column {bad.colno}"
        raise FieldError("body", f"malformed JSON ({bad.msg} at {where})") from None
    except RecursionError:
        raise FieldError("body", "JSON nested too deeply") from None


# Writes that may be under way at once, per process. A write waits up to
# DB_WRITE_TIMEOUT_SECONDS for a lock another holds; past these, further writes are answered
# 503 busy at once, so writes never take every thread and lookups keep being served. Three of
# the four threads `make run` and the systemd unit give each gunicorn process: a back-office
# pushing from several threads rarely meets a refusal, and one thread is always left for lookups.
WAITING_WRITES_PER_PROCESS = 3
_write_slots = threading.BoundedSemaphore(WAITING_WRITES_PER_PROCESS)


def write_slot(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _write_slots.acquire(blocking=False):
            return busy_answer()
        try:
            return view(*args, **kwargs)
        finally:
            _write_slots.release()

    return wrapper


@blueprint.put("/agencies/<agency_id>")
@require_key
@write_slot
def put_agency(agency_id: str) -> Any:
    values = ingest.agency_fields(json_body())
    service().put_agency(agency_id, values, g.key_agency)
    log.info("agency %s updated", agency_id)
    return jsonify({"id": agency_id, **values})


@blueprint.put("/dossiers/<code>")
@require_key
@write_slot
def put_dossier(code: str) -> Any:
    fields = ingest.dossier_fields(code, json_body())
    result = service().put_dossier(fields, g.key_agency)
    log.info("dossier %s %s by %s", mask_code(result.code), "created" if result.created else "updated",
             g.key_agency)
    return jsonify({**receipt_body(result), "created": result.created}), 201 if result.created else 200


@blueprint.post("/dossiers/<code>/reissue")
@require_key
@write_slot
def reissue(code: str) -> Any:
    """A lost receipt: a new PIN and QR link; the old ones stop working at once."""
    result = service().reissue(code, g.key_agency)
    if result is None:
        return error(404, "not_found", "No dossier with this code; PUT it first.", field="code")
    log.info("dossier %s: receipt reissued (version %d) by %s", mask_code(result.code),
             result.receipt_version, g.key_agency)
    return jsonify(receipt_body(result))


def receipt_body(result: PutResult) -> dict[str, Any]:
    """What the back-office prints on the receipt."""
    token = qr.make_token(result.code, current_app.config["SECRET_KEY"], result.receipt_version)
    return {"code": result.code, "pin": result.pin,
            "qr_url": f"{current_app.config['PUBLIC_BASE_URL']}/d/{token}"}


@blueprint.post("/dossiers/<code>/events")
@require_key
@write_slot
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
    extra = {"field": denied.field} if denied.field else {}
    return error(403, "forbidden", str(denied), **extra)


@blueprint.errorhandler(Busy)
def busy(_exc: Busy) -> Any:
    return busy_answer()


def busy_answer() -> Any:
    """The database is held by another writer: nothing was written; send it again shortly."""
    wait = max(1, int(current_app.config["DB_WRITE_TIMEOUT_SECONDS"]))
    response, status = error(503, "busy", "The database is busy; nothing was saved. "
                             f"Send the same request again in {wait} s.", retry_after=wait)
    response.headers["Retry-After"] = str(wait)
    return response, status


@blueprint.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Any:
    if exc.code == 429:
        metrics.lookup("api", "limited")
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
    if database_unavailable(exc):
        response, status = error(503, "unavailable", "The database does not answer for a moment; "
                                 "nothing was saved. Try again shortly.")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status
    log.exception("unexpected error in %s %s", request.method, request.path)
    return error(500, "internal_error", "Something went wrong on our side; nothing was saved.")
