"""Abuse limits for the SMS channel, in Redis, in the `limits` library's syntax.

Per sender (SMS_RATE_LIMIT, e.g. `20/hour`): past it, a sender gets one short notice, then
silence until the window lets them in again. Per destination (SMS_REPLY_LIMIT, e.g. `100/hour`,
as GOV.UK Notify caps texts to one number): past it, nothing more is sent to that number.
If Redis is down we keep counting in memory rather than stop answering citizens (one log line
when Redis goes, one when it is back).
"""

from __future__ import annotations

import logging
from enum import Enum

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from outage import REDIS

log = logging.getLogger(__name__)


class Verdict(Enum):
    OK = "ok"
    NOTICE = "notice"  # over the limit: tell them once
    SILENT = "silent"  # over the limit and already told


class SmsLimits:
    def __init__(self, storage_uri: str, sender_limit: str, reply_limit: str, *, enabled: bool = True,
                 prefix: str = "tracuu-sms", storage_options: dict | None = None) -> None:
        """`storage_uri` and `storage_options` as redis_connections.limits_storage() makes them."""
        self.enabled = enabled
        self.sender_items = parse_many(sender_limit) if sender_limit else []
        self.reply_items = parse_many(reply_limit) if reply_limit else []
        # One notice per window of the tightest sender limit.
        self.notice_items = [_once_per(item) for item in self.sender_items[:1]]
        options = storage_options or {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        self.redis = MovingWindowRateLimiter(storage_from_string(storage_uri, key_prefix=prefix, **options))
        self.memory = MovingWindowRateLimiter(MemoryStorage())

    def check_sender(self, phone: str) -> Verdict:
        """Count one inbound text from `phone` and say how to answer it."""
        if not self.enabled:
            return Verdict.OK
        if self._hit_all(self.sender_items, "sender", phone):
            return Verdict.OK
        if self._hit_all(self.notice_items, "notice", phone):
            return Verdict.NOTICE
        return Verdict.SILENT

    def allow_reply(self, phone: str) -> bool:
        """Count one text to `phone`; False when it already had its share."""
        if not self.enabled:
            return True
        return self._hit_all(self.reply_items, "reply", phone)

    def _hit_all(self, items: list[RateLimitItem], scope: str, phone: str) -> bool:
        try:
            allowed = self._hit(self.redis, items, scope, phone)
        except (RedisError, OSError) as error:
            REDIS.failed(error, "SMS limits count in memory")
            return self._hit(self.memory, items, scope, phone)
        REDIS.answered()
        return allowed

    @staticmethod
    def _hit(limiter: MovingWindowRateLimiter, items: list[RateLimitItem], scope: str, phone: str) -> bool:
        # Test all first, so a text refused by one limit is not counted against the others.
        if not all(limiter.test(item, scope, phone) for item in items):
            return False
        return all([limiter.hit(item, scope, phone) for item in items])


def _once_per(item: RateLimitItem) -> RateLimitItem:
    return type(item)(1, item.multiples, namespace="NOTICE")
