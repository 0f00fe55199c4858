"""What the alert jobs and the outbox share in one process: settings, database, Redis, the
channels that carry alerts (SMS sender, Zalo ZNS) and their pacing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask

from worker import quiet
from worker.routing import Routing

if TYPE_CHECKING:
    from redis import Redis

    from channels.sms.senders import Sender
    from channels.zalo.tokens import ZaloTokens
    from lookup.service import Service
    from lookup.store import Store
    from worker.carriers import SmsCarrier, ZaloCarrier
    from worker.pacing import Pacer

EXTENSION = "tracuu.alerts"
MAX_RETRY_INTERVAL = 3600


class Alerts:
    """Built once per process by `worker.init_app`; Redis, the senders and the Zalo token are
    made on first use. ValueError at construction for ALERT_CHANNELS or ZALO_TEMPLATES that
    cannot be read."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.app = app
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
        self.routing = Routing.from_config(config)
        self.fallback_after = max(1, int(config["ZALO_FALLBACK_AFTER_TRIES"]))
        self._redis: Redis | None = None
        self._sender: Sender | None = None
        self._pacer: Pacer | None = None
        self._carriers: dict[str, SmsCarrier | ZaloCarrier] = {}
        self._zalo_tokens: ZaloTokens | None = None
        self._oa_client = None

    def now(self) -> datetime:
        return self.service.clock()

    @property
    def redis(self) -> Redis:
        if self._redis is None:
            from redis_connections import connect

            # Short timeouts: an ingest request must not hang on a Redis that is down.
            self._redis = connect(self.config, connect_timeout=2, timeout=10, health_check_interval=30)
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
    def demo_carrier(self) -> SmsCarrier:
        """The demo's alerts, by the console and unpaced, whatever ALERT_CHANNELS says."""
        carrier = self._carriers.get("demo")
        if carrier is None:
            from worker.carriers import SmsCarrier
            from worker.pacing import Pacer

            carrier = self._carriers["demo"] = SmsCarrier(self.demo_sender, Pacer(self.redis, "demo", 0))
        return carrier

    @property
    def pacer(self) -> Pacer:
        if self._pacer is None:
            from worker.pacing import Pacer

            self._pacer = Pacer(self.redis, self.sender.name, self.rate_per_second)
        return self._pacer

    @property
    def zalo_tokens(self) -> ZaloTokens:
        """The OA's access token, shared through the database (ValueError when not configured)."""
        if self._zalo_tokens is None:
            from channels.zalo import build_tokens

            self._zalo_tokens = build_tokens(self.config, self.store, self.service.clock)
        return self._zalo_tokens

    @property
    def oa_client(self):
        """The Official Account's message API (chat replies); ValueError when not configured."""
        if self._oa_client is None:
            from channels.zalo.oa import OaClient

            self._oa_client = OaClient(self.config["ZALO_OA_API_URL"], self.zalo_tokens)
        return self._oa_client

    def carrier(self, channel: str) -> SmsCarrier | ZaloCarrier:
        """What sends on `channel` ("sms" or "zalo"); ValueError when it cannot be built."""
        carrier = self._carriers.get(channel)
        if carrier is None:
            from worker.carriers import SmsCarrier, ZaloCarrier
            from worker.pacing import Pacer

            if channel == "zalo":
                from channels.zalo.zns import ZnsSender

                zns = ZnsSender(self.config["ZALO_ZNS_URL"], self.zalo_tokens,
                                development=bool(self.config["ZALO_ZNS_DEVELOPMENT"]))
                pacer = Pacer(self.redis, "zalo", int(self.config["ZALO_RATE_PER_SECOND"]))
                carrier = ZaloCarrier(zns, self.routing, pacer)
            else:
                carrier = SmsCarrier(self.sender, self.pacer)
            self._carriers[channel] = carrier
        return carrier

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
