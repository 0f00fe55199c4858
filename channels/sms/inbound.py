"""One inbound text, whatever brought it: limits, the command handler, what it changed, the reply.

The Kannel and Twilio webhooks only translate to and from this.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from flask import Flask

import metrics
from channels.sms import commands, replies
from channels.sms.commands import Effect, Reply, Settings
from channels.sms.limits import SmsLimits, Verdict
from lookup import phones, recipients
from lookup.privacy import mask_phone
from lookup.subscribers import Subscribers
from redis_connections import limits_storage

log = logging.getLogger("tracuu.sms")
LIMITS_KEY = "tracuu.sms.limits"


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
        uri, options = limits_storage(app.config)
        limits = SmsLimits(uri, app.config["SMS_RATE_LIMIT"], app.config["SMS_REPLY_LIMIT"],
                           enabled=app.config["RATELIMIT_ENABLED"], storage_options=options)
        app.extensions[LIMITS_KEY] = limits
    return limits


def answer(app: Flask, sender: str | None, text: str | None) -> Answer:
    phone = sender_key(sender)
    service = app.extensions["tracuu.service"]
    subscribers = subscribers_of(app)
    settings = settings_from(app)
    limits = limits_for(app)
    saved = subscribers.settings(phone)

    verdict = limits.check_sender(phone)
    confirmation = commands.confirmation_code(text) if verdict is Verdict.OK else None
    answered = subscribers.answer_code(phone, confirmation.code) if confirmation else None
    if answered is not None and (answered.outcome != recipients.NOTHING_WAITING or confirmation.worded):
        # A code this phone was sent to confirm it for a dossier's alerts (lookup.recipients).
        reply = commands.confirmation_reply(answered, settings, saved.language)
    elif verdict is Verdict.OK:
        resolve = partial(service.resolve, with_timeline=False, channel="sms")
        reply = commands.handle(text, phone, resolve=resolve, incomplete=service.incomplete,
                                settings=settings, language=saved.language)
    else:
        # Over the limit no code is looked up, but an opt-out is still honoured.
        reply = commands.keyword_reply(text, settings, saved.language)
        if reply is None or not reply.effects:
            reply = None
    if reply is not None and reply.effects:
        apply_effects(subscribers, phone, reply.effects)

    _count(verdict, reply)
    if verdict is Verdict.SILENT:
        log.info("SMS from %s over its limit: silent", mask_phone(phone))
        return Answer(None, reply)
    if verdict is Verdict.NOTICE and (reply is None or not reply.effects):
        lang = saved.language or settings.default_language
        style = replies.Style(lang=lang, diacritics=settings.diacritics, hotline=settings.hotline)
        reply = Reply(style.reply(replies.RATE_LIMITED, hotline=settings.hotline), "limited", lang)
    if not limits.allow_reply(phone):
        log.info("SMS to %s over the reply limit: not answered", mask_phone(phone))
        return Answer(None, reply)
    log.debug("SMS from %s: %s", mask_phone(phone), reply.kind)
    return Answer(reply.text, reply)


# Reply kinds that answer a lookup, as the lookup outcomes of /metrics.
_LOOKUP_OUTCOMES = {"status": "found", "several": "found", "not_found": "not_found", "invalid": "invalid",
                    "pin_locked": "pin_locked"}


def _count(verdict: Verdict, reply: Reply | None) -> None:
    if verdict is not Verdict.OK:
        metrics.lookup("sms", "limited")
    elif reply is not None and reply.kind in _LOOKUP_OUTCOMES:
        metrics.lookup("sms", _LOOKUP_OUTCOMES[reply.kind])


def subscribers_of(app: Flask) -> Subscribers:
    return app.extensions["tracuu.subscribers"]


def apply_effects(subscribers: Subscribers, phone: str, effects: tuple[Effect, ...]) -> None:
    """Store what a keyword changed for `phone` (alerts off/on, reply language)."""
    opted_out: bool | None = None
    language: str | None = None
    for effect in effects:
        if effect.kind == commands.OPT_OUT:
            opted_out = True
        elif effect.kind == commands.OPT_IN:
            opted_out = False
        elif effect.kind == commands.LANGUAGE:
            language = effect.value
    subscribers.update(phone, opted_out=opted_out, language=language)


def record_delivery(app: Flask, provider: str, message_id: str, status: str, error: str,
                    reference: str = "") -> bool:
    """Apply a delivery report to the notification sent as `message_id`; never backwards
    (the core waits a moment for a worker that has not stored the id yet)."""
    moved = subscribers_of(app).record_delivery(provider, message_id, status, error, reference)
    log.info("%s report %s for %s: %s", provider, status, message_id, "recorded" if moved else "ignored")
    return moved
