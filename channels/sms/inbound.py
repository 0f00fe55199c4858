"""One inbound text, whatever brought it: limits, the command handler, what it changed, the reply.

The Kannel and Twilio webhooks only translate to and from this.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial

from flask import Flask

from channels.sms import commands, replies
from channels.sms.commands import Effect, Reply, Settings
from channels.sms.limits import SmsLimits, Verdict
from channels.sms.senders.base import mask_phone
from lookup import delivery, phones
from lookup.store import notifications
from lookup.store import phones as phone_rows

log = logging.getLogger("tracuu.sms")
LIMITS_KEY = "tracuu.sms.limits"
# How long a delivery report waits for the worker to store the message id it reports on.
REPORT_WAIT_SECONDS = 3.0


@dataclass(frozen=True)
class Answer:
    """What to send back; `text` None means silence."""

    text: str | None
    reply: Reply | None = None


def sender_key(raw: str | None) -> str:
    """E.164 where the number is one; otherwise the sender as given (short codes, names)."""
    raw = (raw or "").strip()
    try:
        return phones.to_e164(raw)
    except phones.InvalidPhone:
        return "".join(c for c in raw if c.isprintable())[:20] or "unknown"


def settings_from(app: Flask) -> Settings:
    config = app.config
    return Settings(short_number=config["SMS_SHORT_NUMBER"], hotline=config["HOTLINE_NUMBER"],
                    diacritics=config["SMS_DIACRITICS"], pin_length=config["PIN_LENGTH"],
                    default_language=config["DEFAULT_LANGUAGE"])


def limits_for(app: Flask) -> SmsLimits:
    limits = app.extensions.get(LIMITS_KEY)
    if limits is None:
        limits = SmsLimits(app.config["REDIS_URL"], app.config["SMS_RATE_LIMIT"],
                           app.config["SMS_REPLY_LIMIT"], enabled=app.config["RATELIMIT_ENABLED"])
        app.extensions[LIMITS_KEY] = limits
    return limits


def answer(app: Flask, sender: str | None, text: str | None) -> Answer:
    phone = sender_key(sender)
    service = app.extensions["tracuu.service"]
    store = app.extensions["tracuu.store"]
    settings = settings_from(app)
    limits = limits_for(app)
    with store.connect() as conn:
        saved = phone_rows.get(conn, phone)

    verdict = limits.check_sender(phone)
    if verdict is Verdict.OK:
        reply = commands.handle(text, phone, resolve=partial(service.resolve, with_timeline=False),
                                settings=settings, language=saved.language)
    else:
        # Over the limit no code is looked up, but an opt-out is still honoured.
        reply = commands.keyword_reply(text, settings, saved.language)
        if reply is None or not reply.effects:
            reply = None
    if reply is not None and reply.effects:
        _apply(app, phone, reply.effects)

    if verdict is Verdict.SILENT:
        log.info("SMS from %s over its limit: silent", mask_phone(phone))
        return Answer(None, reply)
    if verdict is Verdict.NOTICE and (reply is None or not reply.effects):
        lang = saved.language or settings.default_language
        style = replies.Style(lang=lang, diacritics=settings.diacritics, hotline=settings.hotline)
        reply = Reply(style.say(replies.RATE_LIMITED, hotline=settings.hotline), "limited", lang)
    if not limits.allow_reply(phone):
        log.info("SMS to %s over the reply limit: not answered", mask_phone(phone))
        return Answer(None, reply)
    log.debug("SMS from %s: %s", mask_phone(phone), reply.kind)
    return Answer(reply.text, reply)


def _apply(app: Flask, phone: str, effects: tuple[Effect, ...]) -> None:
    now = app.extensions["tracuu.service"].clock()
    with app.extensions["tracuu.store"].begin() as conn:
        for effect in effects:
            if effect.kind == commands.OPT_OUT:
                phone_rows.set_opted_out(conn, phone, True, now)
            elif effect.kind == commands.OPT_IN:
                phone_rows.set_opted_out(conn, phone, False, now)
            elif effect.kind == commands.LANGUAGE:
                phone_rows.set_language(conn, phone, effect.value, now)


def record_delivery(app: Flask, provider: str, message_id: str, status: str, error: str,
                    reference: str = "") -> bool:
    """Apply a delivery report to the notification sent as `message_id`; never backwards.

    A report can beat the worker that sent the text: the provider answers the send, reports
    at once, and the worker has not stored the message id yet. When `reference` (our
    notification id) names a row still in `sending` without an id, wait a moment for it.
    """
    moved = _record(app, provider, message_id, status, error)
    if moved or not reference.isdigit():
        return moved
    store = app.extensions["tracuu.store"]
    deadline = time.monotonic() + REPORT_WAIT_SECONDS
    while time.monotonic() < deadline:
        with store.connect() as conn:
            row = notifications.get(conn, int(reference))
        if row is None or row.status != delivery.SENDING or row.provider_message_id:
            break
        time.sleep(0.05)
    else:
        log.warning("%s report for %s: notification %s never got its id", provider, message_id, reference)
        return False
    return _record(app, provider, message_id, status, error)


def _record(app: Flask, provider: str, message_id: str, status: str, error: str) -> bool:
    now = app.extensions["tracuu.service"].clock()
    with app.extensions["tracuu.store"].begin() as conn:
        moved = notifications.record_delivery(conn, provider, message_id, status, error, now)
    log.info("%s report %s for %s: %s", provider, status, message_id, "recorded" if moved else "ignored")
    return moved
