"""The chat jobs' work: answer one Zalo event (worker/jobs.py) through the OA message API.

A reply Zalo refuses for good (the user blocked the OA, more than 7 days since they wrote) is
logged and dropped; one that may pass raises for RQ's retry (a few quick tries).
"""

from __future__ import annotations

import logging

from channels.sms.senders import SendError
from channels.zalo import chat

log = logging.getLogger("tracuu.zalo.replies")


def to_text(alerts, user_id: str, text: str) -> str:
    outcome = chat.answer_text(alerts.app, user_id, text)
    return _send(alerts, user_id, outcome, "text")


def to_share(alerts, user_id: str, phone: str) -> str:
    outcome = chat.link_phone(alerts.app, user_id, phone)
    return _send(alerts, user_id, outcome, "share")


def _send(alerts, user_id: str, outcome: chat.Outcome, what: str) -> str:
    if outcome.text is None:
        return "silent"
    client = alerts.oa_client
    try:
        client.send_text(user_id, outcome.text)
    except SendError as error:
        if error.retryable:
            raise
        log.warning("Zalo reply to a %s refused: %s", what, error)
        return "refused"
    if outcome.ask_for_phone:
        # After the text went: a failure here must not send the text again on a retry.
        lang = outcome.lang or alerts.config["DEFAULT_LANGUAGE"]
        title, subtitle = chat.share_card(lang)
        try:
            client.request_phone(user_id, title, subtitle)
        except SendError as error:
            log.warning("Zalo share-your-phone card not sent: %s", error)
    return "answered"
