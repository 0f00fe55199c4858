"""Kannel webhooks: inbound SMS (smsbox `get-url`, `GET|POST /sms/kannel`) and delivery reports
(`GET /sms/kannel/dlr`, the dlr-url our sender gave Kannel).

Inbound requests carry the shared secret KANNEL_SECRET (`secret=` in the get-url); delivery
reports carry an HMAC of their own ids. The reply is the HTTP body: Kannel sends it back to the
phone, in the coding our `X-Kannel-Coding` header says (0 GSM-7, 2 UCS-2), converting from the
charset in Content-Type. An empty body is silence (the sms-service needs `omit-empty = true`).

The smsbox `sms-service` this expects (docs/sms.md has the whole file):
    get-url = "http://HOST/sms/kannel?secret=SECRET&from=%p&to=%P&text=%b&coding=%c&charset=%C"
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import parse_qsl

from flask import Blueprint, Response, abort, current_app, request

from channels.sms import delivery_reports, inbound
from channels.sms.encoding import needs_ucs2
from channels.sms.senders.kannel import dlr_token
from lookup import delivery

log = logging.getLogger("tracuu.sms.kannel")
bp = Blueprint("sms_kannel", __name__)

# Kannel's %c: 0 GSM-7 / default, 1 8-bit binary, 2 UCS-2.
UCS2 = "2"


def _raw_params() -> dict[str, bytes]:
    """Query and form parameters as bytes: Kannel may send UCS-2 or Latin-1, not only UTF-8."""
    params: dict[str, bytes] = {}
    sources = [request.query_string]
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        sources.append(request.get_data(cache=True))
    for raw in sources:
        for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
            params[key] = value.encode("latin-1")
    return params


def _text(params: dict[str, bytes]) -> str:
    raw = params.get("text", b"")
    coding = params.get("coding", b"").decode("ascii", "replace")
    charset = params.get("charset", b"").decode("ascii", "replace").strip() or "UTF-8"
    if coding == UCS2 and not params.get("charset", b"").strip():
        # Kannel without mo-recode hands UCS-2 through as it came.
        charset = "UTF-16BE"
    if charset.upper() in ("UCS-2", "UCS2", "UTF-16", "UTF-16BE"):
        charset = "UTF-16BE"
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        # Bytes that are not text in the charset claimed: read what can be read.
        return raw.decode("utf-8", "replace")


@bp.route("/sms/kannel", methods=["GET", "POST"])
def receive() -> Response:
    params = _raw_params()
    secret = current_app.config["KANNEL_SECRET"]
    given = params.get("secret", b"")
    if not secret or not hmac.compare_digest(given, secret.encode()):
        abort(403)
    sender = params.get("from", b"").decode("utf-8", "replace")
    answer = inbound.answer(current_app, sender, _text(params))
    text = answer.text or ""
    response = Response(text, 200, content_type="text/plain; charset=utf-8")
    response.headers["X-Kannel-Coding"] = "2" if needs_ucs2(text) else "0"
    return response


@bp.get("/sms/kannel/dlr")
def dlr() -> Response:
    args = request.args
    message_id, reference, signature = args.get("id", ""), args.get("ref", ""), args.get("sig", "")
    secret = current_app.config["KANNEL_SECRET"]
    if not (secret and message_id and signature) or not hmac.compare_digest(
            signature, dlr_token(secret, message_id, reference)):
        abort(403)
    try:
        ours = delivery_reports.from_kannel(args.get("type", ""))
    except delivery_reports.UnknownStatus:
        return Response("unknown DLR type\n", 400, mimetype="text/plain")
    if ours is not None:
        answer = args.get("answer", "")[:200]
        error = f"kannel: {answer}" if ours in (delivery.FAILED, delivery.UNDELIVERED) else ""
        inbound.record_delivery(current_app, "kannel", message_id, ours, error, reference)
    return Response("OK\n", 200, mimetype="text/plain")
