"""PIN guessing, limited per dossier: after `limit` wrong PINs for one dossier within an hour,
from any address and any channel (web, API, SMS), no PIN opens it for the next hour.

Per-address rate limits cannot stop this on their own: a guesser spreads over addresses, and
with Redis down they count per process. The count lives in the database with the dossier, so
every process and every channel shares it. The QR link on the receipt, the registered phone
and the office still prove ownership while PINs are locked; a lookup by code alone still works.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from lookup.privacy import mask_code
from lookup.store import Busy, Store
from lookup.store import pins as pin_rows

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)
LOCK = timedelta(hours=1)
# A wrong PIN is counted on the lookup path: it must not wait long for a busy database.
RECORD_TIMEOUT_SECONDS = 0.25


class PinLocked(Exception):
    """No PIN opens this dossier until `until`; `view` is what the code alone may show."""

    def __init__(self, view, until: datetime) -> None:
        super().__init__(f"PINs locked until {until.isoformat()}")
        self.view = view
        self.until = until

    def seconds_left(self, now: datetime) -> int:
        return max(1, int((self.until - now).total_seconds() + 0.999))


class PinGuard:
    def __init__(self, store: Store, limit: int) -> None:
        self.store = store
        self.limit = max(1, limit)

    @staticmethod
    def locked_until(locked_until: datetime | None, now: datetime) -> datetime | None:
        return locked_until if locked_until is not None and locked_until > now else None

    def wrong_pin(self, dossier_id: int, code: str, channel: str, now: datetime) -> datetime | None:
        """Count a wrong PIN; the end of the lock when this one reached the limit."""
        try:
            with self.store.begin(timeout=RECORD_TIMEOUT_SECONDS) as conn:
                recent = pin_rows.add_failure(conn, dossier_id, now, channel, now - WINDOW)
                if recent < self.limit:
                    return None
                until = now + LOCK
                pin_rows.lock(conn, dossier_id, until)
        except Busy:
            log.warning("wrong PIN for %s (%s) not counted: the database is busy", mask_code(code), channel)
            return None
        log.warning("PINs for %s locked until %s after %d wrong ones within %s (last by %s)",
                    mask_code(code), until.isoformat(), recent, WINDOW, channel)
        return until

    def unlock(self, conn, dossier_id: int) -> None:
        pin_rows.lock(conn, dossier_id, None)
