"""One chat with the Official Account: a Zalo user's text answered by the SMS command handler,
with accents, and a shared phone number linked to the user.

Run from RQ jobs (worker/jobs.py), never inside the webhook: Zalo wants its webhook answered
within 2 s and a reply is a lookup plus a call to Zalo. A user who shared their phone with the
OA (`user_submit_info`) is that phone here: their lookups prove ownership as an SMS from it
does, and HUY/BATDAU switch that phone's alerts, Zalo's and SMS's alike. A user who has not
shared one gets the public answer to a lookup, and is asked to share it when they want to
switch alerts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from flask import Flask

from channels.sms import commands
from channels.sms.commands import Reply, Settings
from channels.sms.inbound import apply_effects, limits_for, settings_from, subscribers_of
from channels.sms.limits import Verdict
from lookup import messages, phones
from lookup.messages import N_
from lookup.privacy import mask_phone

log = logging.getLogger("tracuu.zalo.chat")

CHANNEL = "zalo"
NEED_PHONE = N_("To turn alerts off or on from Zalo, first share your phone number with us: tap "
                "the card below. Or text %(keyword)s to %(number)s by SMS.")
SHARE_TITLE = N_("Link your phone number")
SHARE_SUBTITLE = N_("Share the phone number on your dossier receipt: its alerts and lookups will "
                    "then work from this chat.")
LINKED = N_("This Zalo account is now linked to %(phone)s. Lookups here count as from that phone. "
            "HUY: stop alerts. BATDAU: alerts on.")
NOT_A_PHONE = N_("We could not read the phone number you shared. Please share it again.")
RATE_LIMITED = N_("Too many messages. Please try again later, or call %(hotline)s.")


@dataclass(frozen=True)
class Outcome:
    """What to send back (None: nothing), in which language, and whether to add Zalo's "share
    your phone" card."""

    text: str | None
    lang: str = ""
    ask_for_phone: bool = False
    reply: Reply | None = None


def settings_for(app: Flask) -> Settings:
    """The SMS handler's settings, with accents: Zalo carries Vietnamese as written."""
    base = settings_from(app)
    return Settings(short_number=base.short_number, hotline=base.hotline, diacritics=True,
                    pin_length=base.pin_length, default_language=base.default_language)


def answer_text(app: Flask, user_id: str, text: str | None) -> Outcome:
    """The reply to one `user_send_text` from `user_id`."""
    subscribers = subscribers_of(app)
    service = app.extensions["tracuu.service"]
    settings = settings_for(app)
    user = subscribers.chat_user(CHANNEL, user_id)
    language = subscribers.settings(user.phone).language if user.phone else user.language
    verdict = limits_for(app).check_sender(f"{CHANNEL}:{user_id}")
    if verdict is not Verdict.OK:  # SMS_RATE_LIMIT per Zalo user: one notice, then silence
        lang = language or settings.default_language
        if verdict is Verdict.SILENT:
            return Outcome(None, lang)
        return Outcome(messages.gettext(lang, RATE_LIMITED, hotline=settings.hotline), lang)
    # A linked user is their phone, as an SMS sender is; an unlinked one proves nothing.
    # Wrong PINs typed here count towards the dossier's lock like those from SMS (lookup.pins).
    resolve = partial(service.resolve, with_timeline=False, channel=CHANNEL)
    reply = commands.handle(text, user.phone or "", resolve=resolve, incomplete=service.incomplete,
                            settings=settings, language=language)
    if not reply.effects:
        return Outcome(reply.text, reply.lang, reply=reply)
    if user.phone:
        apply_effects(subscribers, user.phone, reply.effects)
        return Outcome(reply.text, reply.lang, reply=reply)
    switches = [e for e in reply.effects if e.kind in (commands.OPT_OUT, commands.OPT_IN)]
    if not switches:  # EN/VI: remembered for this user until they share a phone
        subscribers.set_chat_language(CHANNEL, user_id, reply.effects[-1].value)
        return Outcome(reply.text, reply.lang, reply=reply)
    keyword = "HUY" if switches[-1].kind == commands.OPT_OUT else "BATDAU"
    if reply.lang == "en":
        keyword = "STOP" if keyword == "HUY" else "START"
    text = messages.gettext(reply.lang, NEED_PHONE, keyword=keyword, number=settings.short_number)
    return Outcome(text, reply.lang, ask_for_phone=True, reply=reply)


def link_phone(app: Flask, user_id: str, shared: str | None) -> Outcome:
    """`user_submit_info`: the user shared their phone through Zalo; it is theirs."""
    subscribers = subscribers_of(app)
    user = subscribers.chat_user(CHANNEL, user_id)
    try:
        phone = phones.to_e164(shared)
    except phones.InvalidPhone:
        lang = user.language or settings_from(app).default_language
        return Outcome(messages.gettext(lang, NOT_A_PHONE), lang, ask_for_phone=True)
    subscribers.link_chat_user(CHANNEL, user_id, phone)
    lang = subscribers.settings(phone).language or user.language or settings_from(app).default_language
    log.info("Zalo user linked to %s", mask_phone(phone))
    return Outcome(messages.gettext(lang, LINKED, phone=_local(phone)), lang)


def share_card(lang: str) -> tuple[str, str]:
    """Title and subtitle of Zalo's "share your information" card."""
    return messages.gettext(lang, SHARE_TITLE), messages.gettext(lang, SHARE_SUBTITLE)


def _local(phone: str) -> str:
    """`+84912345678` → `0912 345 678`, as people write it."""
    if phone.startswith("+84") and len(phone) == 12:
        local = "0" + phone[3:]
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    return phone
