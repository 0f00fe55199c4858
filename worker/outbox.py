"""The outbox: alert rows written in the transaction of the change that causes them.

The Service calls `in_transaction(conn, change)` inside its write transaction and
`after_commit(token)` once it committed. A row that exists is an alert that will be sent (or
recorded as skipped): if Redis is down at commit time, the sweeper enqueues it later.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row

from lookup import delivery, messages
from lookup.recipients import Confirmation
from lookup.store import notifications as rows
from lookup.store import recipients as recipient_rows
from worker import dispatch, policy, quiet, texts
from worker.context import Alerts
from worker.template_data import template_data

log = logging.getLogger(__name__)

Pending = list[tuple[int, datetime | None]]


class Outbox:
    """A lookup.service.ChangeListener."""

    def __init__(self, alerts: Alerts) -> None:
        self.alerts = alerts

    def in_transaction(self, conn: Connection, change) -> Pending:
        triggers = policy.for_change(change)
        if not triggers:
            return []
        dossier = rows.dossier_for_alert(conn, change.dossier_id)
        if dossier is None:
            return []
        return write(self.alerts, conn, dossier, triggers, self.alerts.now())

    def after_commit(self, token: Pending) -> None:
        dispatch.enqueue_quietly(self.alerts, token)

    def confirmation_in_transaction(self, conn: Connection, confirmation: Confirmation) -> Pending:
        return write_confirmation(self.alerts, conn, confirmation)


@dataclass(frozen=True)
class Recipient:
    phone: str
    language: str
    opted_out: bool


def recipients_of(conn: Connection, dossier: Row) -> list[Recipient]:
    """Who gets the dossier's alerts: its registered phone, and the one more phone someone who
    proved the dossier theirs added and that phone confirmed (lookup.recipients), if any."""
    found = [Recipient(dossier.applicant_phone or "",
                       messages.language(dossier.phone_language or dossier.language),
                       bool(dossier.opted_out))]
    for extra in recipient_rows.for_alert(conn, dossier.id):
        if extra.phone != found[0].phone:
            found.append(Recipient(extra.phone, messages.language(extra.phone_language or extra.language),
                                   bool(extra.opted_out)))
    return found


def write(alerts: Alerts, conn: Connection, dossier: Row, triggers: Iterable[policy.Trigger],
          now: datetime) -> Pending:
    """Insert one row per trigger and recipient (none where that cause already has one for
    that phone); those to enqueue. Each recipient's row is sent, retried and recorded on its
    own, so what holds for one text (sent at most once, never lost) holds for each."""
    pending: Pending = []
    disabled = rows.disabled_kinds(conn, dossier.office_id)
    send_after = quiet.next_allowed(alerts.quiet_hours, now)
    recipients = recipients_of(conn, dossier)
    for trigger in triggers:
        for recipient in recipients:
            pending += _write_one(alerts, conn, dossier, trigger, recipient, disabled, send_after, now)
    return pending


def _write_one(alerts: Alerts, conn: Connection, dossier: Row, trigger: policy.Trigger,
               recipient: Recipient, disabled: frozenset[str], send_after: datetime,
               now: datetime) -> Pending:
    lang, phone = recipient.language, recipient.phone
    skip = _skip_reason(trigger.kind, dossier, recipient, disabled)
    status, body, data = (delivery.SKIPPED, "", None) if skip else (delivery.QUEUED, "", None)
    channel, fallback = alerts.routing.first(trigger.kind, lang, phone)
    if not skip:
        try:
            about = facts(dossier, lang)
            # The SMS text is always worded: it is what carries the alert if Zalo cannot.
            body = texts.render(trigger.kind, lang, about, diacritics=alerts.diacritics)
            if channel == "zalo":
                data = json.dumps(template_data(trigger.kind, lang, dossier.status, about),
                                  ensure_ascii=False)
        except Exception as error:  # an alert we cannot word must not block the office's write
            log.exception("alert %s for dossier %s cannot be worded", trigger.kind, dossier.id)
            status, skip = delivery.FAILED, f"cannot word the text: {error}"[:500]
        if channel is None and status == delivery.QUEUED:
            status, skip = delivery.FAILED, f"no channel can carry it: {fallback}"[:500]
    values = {
        "dossier_id": dossier.id,
        "cause": trigger.cause,
        "kind": trigger.kind,
        "to_phone": phone,
        "language": lang,
        "body": body,
        "channel": channel or alerts.routing.channels[-1],
        "fallback_reason": fallback[:1000],
        "template_data": data,
        "status": status,
        "error": skip,
        "attempts": 0,
        "created_at": now,
        "send_after": None if skip or send_after <= now else send_after,
        "updated_at": now,
    }
    notification_id = rows.insert(conn, values)
    if notification_id is not None and status == delivery.QUEUED:
        return [(notification_id, values["send_after"])]
    return []


def write_confirmation(alerts: Alerts, conn: Connection, confirmation: Confirmation) -> Pending:
    """The text that carries a code to a phone just added for a dossier's alerts. By SMS
    (a code to text back by SMS), at once even in quiet hours (the person asked for it this
    minute), and only while the code lives (worker.sending)."""
    now = alerts.now()
    body = texts.render(policy.CONFIRM_PHONE, confirmation.language, texts.Facts(
        code=confirmation.dossier_code, secret=confirmation.code,
        number=alerts.config["SMS_SHORT_NUMBER"]), diacritics=alerts.diacritics)
    values = {
        "dossier_id": confirmation.dossier_id,
        # One row per code: a new code for the same phone is a new text.
        "cause": f"confirm:{int(confirmation.expires_at.timestamp())}",
        "kind": policy.CONFIRM_PHONE,
        "to_phone": confirmation.phone,
        "language": confirmation.language,
        "body": body,
        "channel": "sms",
        "fallback_reason": "",
        "template_data": None,
        "status": delivery.QUEUED,
        "error": "",
        "attempts": 0,
        "created_at": now,
        "send_after": None,
        "updated_at": now,
    }
    notification_id = rows.insert(conn, values)
    return [(notification_id, None)] if notification_id is not None else []


def facts(dossier: Row, lang: str) -> texts.Facts:
    office = (dossier.agency_name_en if lang == "en" else "") or dossier.agency_name_vi
    return texts.Facts(code=dossier.code, office=office, hours=dossier.agency_pickup_hours,
                       hotline=dossier.agency_hotline, note=dossier.note, date=dossier.due_at)


def _skip_reason(kind: str, dossier: Row, recipient: Recipient, disabled: frozenset[str]) -> str:
    if kind in disabled:
        return f"{kind} alerts are off for agency {dossier.office_id}"
    if not recipient.phone:
        return "no phone number"
    if recipient.opted_out:
        return "opted out"
    return ""
