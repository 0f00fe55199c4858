"""The outbox: alert rows written in the transaction of the change that causes them.

The Service calls `in_transaction(conn, change)` inside its write transaction and
`after_commit(token)` once it committed. A row that exists is an alert that will be sent (or
recorded as skipped): if Redis is down at commit time, the sweeper enqueues it later.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Row

from lookup import delivery, messages
from lookup.store import notifications as rows
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


def write(alerts: Alerts, conn: Connection, dossier: Row, triggers: Iterable[policy.Trigger],
          now: datetime) -> Pending:
    """Insert one row per trigger (none if that cause already has one); those to enqueue."""
    pending: Pending = []
    disabled = rows.disabled_kinds(conn, dossier.office_id)
    send_after = quiet.next_allowed(alerts.quiet_hours, now)
    for trigger in triggers:
        lang = messages.language(dossier.phone_language or dossier.language)
        phone = dossier.applicant_phone or ""
        skip = _skip_reason(trigger.kind, dossier, disabled)
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
            pending.append((notification_id, values["send_after"]))
    return pending


def facts(dossier: Row, lang: str) -> texts.Facts:
    office = (dossier.agency_name_en if lang == "en" else "") or dossier.agency_name_vi
    return texts.Facts(code=dossier.code, office=office, hours=dossier.agency_pickup_hours,
                       hotline=dossier.agency_hotline, note=dossier.note, date=dossier.due_at)


def _skip_reason(kind: str, dossier: Row, disabled: frozenset[str]) -> str:
    if kind in disabled:
        return f"{kind} alerts are off for agency {dossier.office_id}"
    if not dossier.applicant_phone:
        return "no phone number"
    if dossier.opted_out:
        return "opted out"
    return ""
