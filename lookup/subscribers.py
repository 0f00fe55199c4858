"""What a citizen asked of us from a channel, and what became of the alerts we sent them.

Per phone number (E.164): alerts off or on (HUY/STOP, BATDAU/START) and the reply language
(EN/VI). Per chat user (a Zalo user of the office's OA): the phone they shared with us through
the channel, which then stands for them as an SMS sender's number does, and the language they
chose before sharing one. Per sent alert: the provider's delivery reports, which only ever move
it forward. The SMS and Zalo adapters read and write these through `Subscribers`, never the store.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from lookup import delivery, recipients
from lookup.clock import Clock, utcnow
from lookup.privacy import mask_phone
from lookup.store import Store
from lookup.store import chat_users as chat_rows
from lookup.store import notifications as notification_rows
from lookup.store import phones as phone_rows
from lookup.store import recipients as recipient_rows
from lookup.store.phones import PhoneSettings

__all__ = ["ChatUser", "PhoneSettings", "Subscribers"]

log = logging.getLogger(__name__)

# How long a delivery report waits for the worker to store the message id it reports on.
REPORT_WAIT_SECONDS = 3.0


@dataclass(frozen=True)
class ChatUser:
    channel: str
    user_id: str
    phone: str | None = None  # E.164, shared by the user through the channel
    language: str | None = None  # chosen before a phone was shared (after: the phone's)


class Subscribers:
    def __init__(self, store: Store, clock: Clock = utcnow) -> None:
        self.store = store
        self.clock = clock

    # Phones

    def settings(self, phone: str) -> PhoneSettings:
        """What an E.164 number asked of us; defaults when it never asked for anything."""
        with self.store.connect() as conn:
            return phone_rows.get(conn, phone)

    def update(self, phone: str, *, opted_out: bool | None = None, language: str | None = None) -> None:
        """Record alerts off/on and/or a reply language for a number, in one transaction."""
        if opted_out is None and language is None:
            return
        now = self.clock()
        with self.store.begin() as conn:
            if opted_out is not None:
                phone_rows.set_opted_out(conn, phone, opted_out, now)
            if opted_out:
                # STOP from a dossier's extra phone removes it there (lookup.recipients);
                # the registered phones keep their alerts.
                removed = recipient_rows.remove_phone(conn, phone, now)
                if removed:
                    log.info("%s is no longer an extra phone of %d dossier(s)", mask_phone(phone), removed)
            if language is not None:
                phone_rows.set_language(conn, phone, language, now)

    # Chat users

    def answer_code(self, phone: str, code: str) -> recipients.Answer:
        """A code texted in by `phone`: confirms it as the extra phone of the dossier whose
        code it is (lookup.recipients), or counts a wrong try against every code it waits on."""
        now = self.clock()
        with self.store.begin() as conn:
            waiting = recipient_rows.waiting_for(conn, phone)
            answer, confirmed, wrong = recipients.answer(list(waiting), code, now)
            if confirmed is not None and not recipient_rows.confirm(conn, confirmed.dossier_id,
                                                                    confirmed.code_hash, now):
                answer = recipients.Answer(recipients.NOTHING_WAITING)  # another text got there first
            recipient_rows.count_wrong(conn, [row.dossier_id for row in wrong], recipients.MAX_TRIES, now)
        log.info("code from %s: %s", mask_phone(phone), answer.outcome)
        return answer

    def chat_user(self, channel: str, user_id: str) -> ChatUser:
        with self.store.connect() as conn:
            row = chat_rows.get(conn, channel, user_id)
        if row is None:
            return ChatUser(channel, user_id)
        return ChatUser(channel, user_id, row.phone, row.language)

    def link_chat_user(self, channel: str, user_id: str, phone: str) -> None:
        """The user shared `phone` (E.164) with us through the channel: it is theirs from now on.
        A language they chose before is carried over to the phone unless it has its own."""
        now = self.clock()
        with self.store.begin() as conn:
            before = chat_rows.get(conn, channel, user_id)
            chat_rows.upsert(conn, channel, user_id, now, phone=phone, linked_at=now)
            if before is not None and before.language and phone_rows.get(conn, phone).language is None:
                phone_rows.set_language(conn, phone, before.language, now)

    def set_chat_language(self, channel: str, user_id: str, language: str) -> None:
        with self.store.begin() as conn:
            chat_rows.upsert(conn, channel, user_id, self.clock(), language=language)

    # Delivery reports

    def record_delivery(self, provider: str, message_id: str, status: str, error: str = "",
                        reference: str = "", wait: float = REPORT_WAIT_SECONDS) -> bool:
        """Apply a report to the alert sent as `message_id` by `provider`; never backwards.

        A report can beat the worker that sent the text: the provider answers the send, reports
        at once, and the worker has not stored the message id yet. When `reference` (our
        notification id) names a row still in `sending` without an id, wait up to `wait`
        seconds for it. Whether the report moved the alert.
        """
        moved = self._record(provider, message_id, status, error)
        if moved or not reference.isdigit():
            return moved
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with self.store.connect() as conn:
                row = notification_rows.get(conn, int(reference))
            if row is None or row.status != delivery.SENDING or row.provider_message_id:
                break
            time.sleep(0.05)
        else:
            log.warning("%s report for %s: notification %s never got its id", provider, message_id,
                        reference)
            return False
        return self._record(provider, message_id, status, error)

    def _record(self, provider: str, message_id: str, status: str, error: str) -> bool:
        now: datetime = self.clock()
        with self.store.begin() as conn:
            return notification_rows.record_delivery(conn, provider, message_id, status, error, now)
