"""`POST /zalo/webhook`: the Official Account's events. Verified before anything is parsed.

Zalo signs each event `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA
secret key)>`, a plain digest over the exact bytes sent (`timestamp` is the event's own field,
read from the raw bytes before the JSON is parsed). A forged or unsigned request gets 403.

Zalo wants 200 within 2 s and disables a webhook that keeps failing, so this only acts on
what is quick: a text or a shared phone is put on the `chat` queue for a worker to answer
(channels/zalo/replies.py), once per message id (Zalo re-sends on a slow answer); a delivery
event moves the alert forward (lookup.subscribers). If Redis is down the answer is 503, and
Zalo sends the event again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from redis.exceptions import RedisError

from lookup import delivery

log = logging.getLogger("tracuu.zalo.webhook")
bp = Blueprint("zalo_webhook", __name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"
# The event's `timestamp` (milliseconds, a string or a number), found in the raw bytes.
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,20})"?')
# How long a delivery event waits for the worker to store the msg_id it reports on.
DELIVERY_WAIT_SECONDS = 1.0
MAX_TEXT = 2000


def signature_valid(raw: bytes, header: str, app_id: str, oa_secret: str) -> bool:
    if not (raw and header and app_id and oa_secret):
        return False
    given = header.strip()
    if given[:4].lower() == "mac=":
        given = given[4:].strip()
    given = given.lower()
    for timestamp in _TIMESTAMP.findall(raw)[:3]:
        expected = hashlib.sha256(app_id.encode() + raw + timestamp + oa_secret.encode()).hexdigest()
        if hmac.compare_digest(expected, given):
            return True
    return False


@bp.get("/zalo/webhook")
def alive() -> Response:
    """For a person or a console checking that the URL answers; events are POSTed."""
    return Response("tracuu Zalo webhook: events are POSTed here\n", mimetype="text/plain")


@bp.post("/zalo/webhook")
def receive() -> Response:
    raw = request.get_data(cache=False)
    config = current_app.config
    if not signature_valid(raw, request.headers.get(SIGNATURE_HEADER, ""), config["ZALO_APP_ID"],
                           config["ZALO_OA_SECRET"]):
        log.warning("Zalo webhook with a missing or bad signature (%d bytes)", len(raw))
        abort(403)
    try:
        event = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _plain("not JSON\n", 400)
    if not isinstance(event, dict) or not isinstance(event.get("event_name"), str):
        return _plain("no event_name\n", 400)
    name = event["event_name"]
    try:
        if name == "user_send_text":
            return _text(event)
        if name == "user_submit_info":
            return _shared(event)
        if name in ("user_received_message", "user_seen_message"):
            return _delivery(event, delivery.DELIVERED if name == "user_received_message" else delivery.READ)
    except RedisError as error:
        log.warning("Zalo %s not queued (%s): answering 503 so that Zalo sends it again", name, error)
        return _plain("busy, send it again\n", 503)
    log.debug("Zalo event %s ignored", name[:40])
    return _plain("", 200)


def _text(event: dict[str, Any]) -> Response:
    user_id = _id(event.get("sender"))
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    text = message.get("text")
    if not user_id or not isinstance(text, str):
        return _plain("sender.id and message.text are required\n", 400)
    msg_id = _str(message.get("msg_id")) or _digest(user_id, _str(event.get("timestamp")), text)
    from worker import dispatch

    dispatch.enqueue_chat(_alerts(), "text", msg_id, user_id, text[:MAX_TEXT])
    return _plain("", 200)


def _shared(event: dict[str, Any]) -> Response:
    user_id = _id(event.get("sender"))
    info = event.get("info") if isinstance(event.get("info"), dict) else {}
    if not user_id:
        return _plain("sender.id is required\n", 400)
    phone = _str(info.get("phone"))[:20]
    from worker import dispatch

    key = _digest(user_id, _str(event.get("timestamp")), phone)
    dispatch.enqueue_chat(_alerts(), "share", key, user_id, phone)
    return _plain("", 200)


def _delivery(event: dict[str, Any], status: str) -> Response:
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    ids = [_str(message.get("msg_id"))]
    if isinstance(message.get("msg_ids"), list):
        ids += [_str(i) for i in message["msg_ids"][:50]]
    reference = _str(message.get("tracking_id"))
    subscribers = current_app.extensions["tracuu.subscribers"]
    moved = 0
    for msg_id in filter(None, dict.fromkeys(ids)):
        moved += subscribers.record_delivery("zalo", msg_id[:64], status, reference=reference,
                                             wait=DELIVERY_WAIT_SECONDS)
    log.info("Zalo %s for %d message(s): %d alert(s) moved", status, len([i for i in ids if i]), moved)
    return _plain("", 200)


def _alerts():
    return current_app.extensions["tracuu.alerts"]


def _id(party: Any) -> str:
    value = _str(party.get("id")) if isinstance(party, dict) else ""
    return value if value.isdigit() and len(value) <= 64 else ""


def _str(value: Any) -> str:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _plain(text: str, status: int) -> Response:
    return Response(text, status, mimetype="text/plain")
