"""What the alert jobs and the outbox share in one process: settings, database, Redis, sender."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask

from worker import quiet

if TYPE_CHECKING:
    from redis import Redis

    from channels.sms.senders import Sender
    from lookup.service import Service
    from lookup.store import Store
    from worker.pacing import Pacer

EXTENSION = "tracuu.alerts"
MAX_RETRY_INTERVAL = 3600


class Alerts:
    """Built once per process by `worker.init_app`; Redis and the sender are made on first use."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.config = config
        self.service: Service = app.extensions["tracuu.service"]
        self.store: Store = app.extensions["tracuu.store"]
        self.quiet_hours = quiet.parse(config["QUIET_HOURS"])
        self.validity = timedelta(hours=config["ALERT_VALIDITY_HOURS"])
        self.job_timeout = max(1, int(config["ALERT_JOB_TIMEOUT_SECONDS"]))
        # A `sending` row older than this has no live worker: the job timeout would have ended it.
        self.lease = timedelta(seconds=self.job_timeout * 1.5)
        self.sweep_every = max(1, int(config["ALERT_SWEEP_SECONDS"]))
        self.rate_per_second = int(config["SMS_RATE_PER_SECOND"])
        self.diacritics = bool(config["SMS_DIACRITICS"])
        self.reminder_days = int(config["PICKUP_REMINDER_WORKING_DAYS"])
        self.retry_intervals = retry_intervals(int(config["ALERT_RETRY_FIRST_SECONDS"]), self.validity)
        self._redis: Redis | None = None
        self._sender: Sender | None = None
        self._pacer: Pacer | None = None

    def now(self) -> datetime:
        return self.service.clock()

    @property
    def redis(self) -> Redis:
        if self._redis is None:
            from redis import Redis

            # Short timeouts: an ingest request must not hang on a Redis that is down.
            self._redis = Redis.from_url(self.config["REDIS_URL"], socket_connect_timeout=2,
                                         socket_timeout=10, health_check_interval=30)
        return self._redis

    @property
    def sender(self) -> Sender:
        if self._sender is None:
            from channels.sms.senders import build_sender

            self._sender = build_sender(self.config)
        return self._sender

    @property
    def demo_sender(self) -> Sender:
        """Where the demo dossiers' alerts go, whatever SMS_SENDER says: the log."""
        from channels.sms.senders import ConsoleSender

        return ConsoleSender()

    @property
    def pacer(self) -> Pacer:
        if self._pacer is None:
            from worker.pacing import Pacer

            self._pacer = Pacer(self.redis, self.sender.name, self.rate_per_second)
        return self._pacer

    def expires_at(self, created_at: datetime, send_after: datetime | None) -> datetime:
        return max(created_at, send_after or created_at) + self.validity


def retry_intervals(first: int, validity: timedelta) -> list[int]:
    """Growing waits between tries (doubling, capped at an hour) that end within the validity."""
    intervals: list[int] = []
    wait, total = max(1, first), 0
    while total + wait <= validity.total_seconds():
        intervals.append(wait)
        total += wait
        wait = min(wait * 2, MAX_RETRY_INTERVAL)
    return intervals or [max(1, first)]


def current() -> Alerts:
    """The process's Alerts; a worker started with plain `rq worker` builds the app here."""
    global _current
    if _current is None:
        from app import create_app

        bind(create_app())
    assert _current is not None
    return _current


def bind(app: Flask) -> Alerts:
    global _current
    _current = app.extensions[EXTENSION]
    return _current


_current: Alerts | None = None
