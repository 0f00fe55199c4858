"""What a citizen asked of us from a channel, and what became of the alerts we sent them.

Per phone number (E.164): alerts off or on (HUY/STOP, BATDAU/START) and the reply language
(EN/VI). Per sent alert: the provider's delivery reports, which only ever move it forward.
The SMS and Zalo adapters read and write these through `Subscribers`, never the store.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from lookup import delivery
from lookup.clock import Clock, utcnow
from lookup.store import Store
from lookup.store import notifications as notification_rows
from lookup.store import phones as phone_rows
from lookup.store.phones import PhoneSettings

__all__ = ["PhoneSettings", "Subscribers"]

log = logging.getLogger(__name__)

# How long a delivery report waits for the worker to store the message id it reports on.
REPORT_WAIT_SECONDS = 3.0


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
            if language is not None:
                phone_rows.set_language(conn, phone, language, now)

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
