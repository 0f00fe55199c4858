"""Twilio Voice adapter: TwiML webhooks that drive the same call flow as Asterisk.

`POST /voice/twilio` answers a call; each `<Gather input="dtmf">` posts the keys to
`/voice/twilio/step`, whose query carries the flow's state **encrypted** with a key derived
from our SECRET_KEY (Fernet: AES and an HMAC), bound to the call's CallSid and to the longest
call: the caller's number and the digits they keyed appear in URLs that Twilio and proxies log,
so they must not be readable there. Nothing is kept on our side between steps, so any web
worker can take any step. Prompts are `<Play>`ed from `/voice/audio/<name>.wav`.
Every webhook checks `X-Twilio-Signature` first; a forged request gets 403.
"""

from __future__ import annotations

import base64
import json
import logging
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Blueprint, Response, current_app, request, send_from_directory
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse
from werkzeug.exceptions import NotFound

from channels.ivr import flow, prompts
from channels.ivr.flow import Ask, Hangup, Keys, Line, Output, Say, Start, State, Transfer
from channels.ivr.prompts import PromptStore, RenderError

log = logging.getLogger(__name__)
blueprint = Blueprint("ivr_twilio", __name__)

_AUDIO_NAME = re.compile(r"^(vi|en)-[0-9a-f]{24}$")
_KEYS = re.compile(r"[^0-9*#]")
MAX_KEYS = 64
# Twilio <Say> voices, used only when a prompt cannot be rendered to audio.
SAY_LANGUAGE = {"vi": "vi-VN", "en": "en-US"}


class UnreadableState(ValueError):
    """Not a state we wrote for this call, or one older than the longest call."""


def _fernet() -> Fernet:
    fernet = current_app.extensions.get("tracuu.ivr.twilio.fernet")
    if fernet is None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tracuu ivr-twilio-state").derive(
            current_app.config["SECRET_KEY"].encode())
        fernet = current_app.extensions["tracuu.ivr.twilio.fernet"] = Fernet(base64.urlsafe_b64encode(key))
    return fernet


def seal_state(state: State, call_sid: str) -> str:
    """The state as an opaque token for the Gather URL: encrypted, signed, bound to the call."""
    payload = json.dumps({"call": call_sid, "state": state.to_dict()}, separators=(",", ":"))
    return _fernet().encrypt(payload.encode()).decode()


def open_state(token: str, call_sid: str) -> State:
    """The state in a token from `seal_state`; UnreadableState for anything else."""
    max_age = int(current_app.config["IVR_MAX_CALL_SECONDS"]) + 120
    try:
        data = json.loads(_fernet().decrypt(token.encode(), ttl=max_age))
        if data["call"] != call_sid:
            raise UnreadableState("state of another call")
        return State.from_dict(data["state"])
    except (InvalidToken, ValueError, TypeError, KeyError, UnicodeError) as error:
        raise UnreadableState(str(error) or type(error).__name__) from None


def _public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + path


def _verified() -> bool:
    """Twilio signs the URL it called (as the public sees it) and the POSTed form."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = _public_url(request.path)
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return RequestValidator(token).validate(url, request.form, signature)


def _now() -> float:
    return current_app.extensions["tracuu.service"].clock().timestamp()


def _driver():
    driver = current_app.extensions.get("tracuu.ivr.driver")
    if driver is None:
        from channels.ivr import build_driver

        driver = current_app.extensions["tracuu.ivr.driver"] = build_driver(current_app)
    return driver


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


@blueprint.post("/voice/twilio")
def answer() -> Response:
    if not _verified():
        return _forbidden()
    caller = request.form.get("From", "")[:32]
    return _turn(State(), Start(caller, _now()))


@blueprint.post("/voice/twilio/step")
def step() -> Response:
    if not _verified():
        return _forbidden()
    try:
        state = open_state(request.args.get("s", "")[:4096], request.form.get("CallSid", ""))
    except UnreadableState:
        log.warning("IVR/Twilio: step with an unreadable state")
        return _twiml(_render([Say("vi", (Line("try_later"),)), Hangup()], None))
    keys = _KEYS.sub("", request.form.get("Digits", ""))[:MAX_KEYS].rstrip("#")
    return _turn(state, Keys(keys, _now()))


@blueprint.get("/voice/audio/<name>.wav")
def audio(name: str) -> Response:
    if not _AUDIO_NAME.match(name):
        return _not_found()
    try:
        return send_from_directory(current_app.config["IVR_AUDIO_DIR"], f"{name}.wav",
                                   mimetype="audio/wav", max_age=86400)
    except NotFound:
        return _not_found()


# Plain answers: Twilio reads neither the site's HTML error pages nor their language.
def _forbidden() -> Response:
    log.warning("IVR/Twilio: %s with a bad or missing X-Twilio-Signature", request.path)
    return Response("forbidden\n", status=403, mimetype="text/plain")


def _not_found() -> Response:
    return Response("not found\n", status=404, mimetype="text/plain")


def _turn(state: State, event: Start | Keys) -> Response:
    try:
        state, outputs = _driver().advance(state, event)
    except Exception:
        log.exception("IVR/Twilio: flow failed")
        return _twiml(_render([Say(state.lang, (Line("try_later"),)), Hangup()], None))
    return _twiml(_render(outputs, state))


def _render(outputs: list[Output], state: State | None) -> VoiceResponse:
    store = PromptStore(current_app.config["IVR_AUDIO_DIR"])
    response = VoiceResponse()
    for output in outputs:
        if isinstance(output, Ask):
            token = seal_state(state if state is not None else State(), request.form.get("CallSid", ""))
            gather = Gather(input="dtmf", action=_public_url(f"/voice/twilio/step?s={token}"), method="POST",
                            timeout=output.timeout, action_on_empty_result=True,
                            finish_on_key=output.finish_on_key or "",
                            num_digits=output.max_digits if output.max_digits == 1 else None)
            _play(gather, output, store)
            response.append(gather)
        elif isinstance(output, Say):
            _play(response, output, store)
        elif isinstance(output, Transfer):
            response.dial(output.number)
        elif isinstance(output, Hangup):
            response.hangup()
    if state is not None and state.stage == flow.DONE and not any(isinstance(o, Hangup | Transfer)
                                                                   for o in outputs):
        response.hangup()
    return response


def _play(parent, prompt: Ask | Say, store: PromptStore) -> None:
    parts = prompts.segments(prompt)
    try:
        path = store.ensure(parts)
    except RenderError as error:
        log.error("IVR/Twilio: %s; falling back to <Say>", error)
        for lang, text in parts:
            parent.say(text, language=SAY_LANGUAGE.get(lang, "vi-VN"))
        return
    parent.play(_public_url(f"/voice/audio/{path.stem}.wav"))
