"""A rate limit per sender shared by every worker through Redis (GCRA, one slot at a time).

Each call reserves the next free slot on a timeline kept in Redis and says how long to wait
for it, so N workers together never hand the provider more than `rate` texts a second.
Redis's own clock is used, so workers on machines whose clocks differ still agree. Without
Redis (a job already taken when it went) this worker keeps to the rate on its own.
"""

from __future__ import annotations

import time

from redis import Redis
from redis.exceptions import RedisError

from outage import REDIS

KEY = "tracuu:alerts:pace:{sender}"

# KEYS[1] the slot timeline; ARGV[1] microseconds between texts. Returns microseconds to wait.
_RESERVE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000000 + tonumber(now[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < t then tat = t end
local step = tonumber(ARGV[1])
local ttl = math.floor((tat + step - t) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', tat + step), 'PX', ttl)
return tat - t
"""


class Pacer:
    def __init__(self, redis: Redis, sender: str, rate_per_second: int) -> None:
        self.key = KEY.format(sender=sender)
        self.step_us = 0 if rate_per_second <= 0 else int(1_000_000 / rate_per_second)
        self._reserve = redis.register_script(_RESERVE)

    def wait_for_slot(self) -> float:
        """Block until this worker may send one text; the seconds it waited. Rate 0: no limit."""
        if not self.step_us:
            return 0.0
        try:
            wait = int(self._reserve(keys=[self.key], args=[self.step_us])) / 1_000_000
        except RedisError as error:
            REDIS.failed(error, "pacing alone")
            wait = self.step_us / 1_000_000
        else:
            REDIS.answered()
        if wait > 0:
            time.sleep(wait)
        return wait
