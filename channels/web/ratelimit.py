"""Lookup rate limits per client, one budget shared by every page and API where a code (or a
code and PIN) can be tried, so a guesser cannot spread over several doors. What a signature
already proves is not counted: the result page's ticket and a QR link that opens its dossier
(`pages.receipt_link`).

Every limit of LOOKUP_RATE_LIMIT (`30/minute;300/hour`, the `limits` library's syntax) is a
fixed window counted in Redis, shared by every process; all of them are counted and checked by
one Lua script, so a lookup costs one round trip to Redis whatever the number of limits (with
flask-limiter it was one per limit, and its hooks ran on every request, limited or not). Each
thread keeps one connection of the client's pool for its counts and speaks to it directly: the
client's per-command work (pool checkout with its readiness poll, retry wrapper) cost more than
the round trip itself. A refused lookup is answered 429 with Retry-After: the end of the window it broke. No
X-RateLimit-* headers: no client of ours reads them.

Redis unreachable: each process counts in its own memory until Redis answers again (logged once
per outage), so lookups go on being served and limited.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any

from flask import Flask, current_app, g, request
from limits import parse_many
from redis import Redis
from redis.connection import AbstractConnection
from redis.exceptions import NoScriptError, RedisError
from werkzeug.exceptions import TooManyRequests

from redis_connections import connect

log = logging.getLogger(__name__)

EXTENSION = "tracuu.web.lookup_limits"
FALLBACK_WAIT_SECONDS = 60
REDIS_TIMEOUT_SECONDS = 0.5

# KEYS: one counter per limit (its window is in the key); ARGV: amount and seconds per limit.
# Returns 0 when every limit allows the lookup, else the number (from 1) of the first broken.
_COUNT = """
local broken = 0
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
  if broken == 0 and n > tonumber(ARGV[2 * i - 1]) then broken = i end
end
return broken
"""


def client_key() -> str:
    """Who a limit counts: the client's address, an IPv6 client by its /64 (one household or
    phone gets a whole /64 and can pick any address in it)."""
    return _network(request.remote_addr or "")


@lru_cache(maxsize=65536)
def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return f"{ipaddress.IPv6Network((int(ip) >> 64 << 64, 64))}"
    return address


@dataclass(frozen=True)
class Window:
    amount: int
    seconds: int


class LookupLimits:
    """The lookup budget of every client, counted in Redis (in memory while Redis is away)."""

    def __init__(self, redis: Redis, spec: str, prefix: str) -> None:
        self.windows = tuple(Window(item.amount, int(item.get_expiry())) for item in parse_many(spec))
        self.prefix = f"{prefix}:lookup"
        self.redis = redis
        self.script = self.redis.register_script(_COUNT)
        self._connection = threading.local()
        self.limits_args = [n for w in self.windows for n in (w.amount, w.seconds)]
        self._memory: dict[str, tuple[int, int]] = {}
        self._memory_lock = threading.Lock()
        self._redis_down = False

    def hit(self, client: str, now: float | None = None) -> int | None:
        """Count one lookup by `client`; None when allowed, else the seconds until the window
        it broke ends."""
        now = time.time() if now is None else now
        keys = [f"{self.prefix}:{client}:{w.seconds}:{int(now // w.seconds)}" for w in self.windows]
        try:
            broken = int(self._count(keys))
            if self._redis_down:
                self._redis_down = False
                log.warning("lookup limits counted in Redis again")
        except (RedisError, OSError) as error:
            broken = self._in_memory(error, keys, now)
        return self._seconds_to_wait(broken, now)

    def _count(self, keys: list[str]) -> Any:
        """One round trip: the script's verdict on `keys` (0, or the number of the broken limit)."""
        connection = self._thread_connection()
        try:
            connection.send_command("EVALSHA", self.script.sha, len(keys), *keys, *self.limits_args)
            try:
                return connection.read_response()
            except NoScriptError:  # a Redis restarted, or a replica promoted, without our script
                connection.send_command("EVAL", _COUNT, len(keys), *keys, *self.limits_args)
                return connection.read_response()
        except BaseException:
            # Whatever went wrong, even an interrupt with the reply unread (it would answer the
            # next count), the next count starts on a fresh connection: to the new primary, with
            # Sentinel. redis-py drops it itself on a failed send or read; this also covers the
            # moment between them and an error reply.
            connection.disconnect()
            raise

    def _seconds_to_wait(self, broken: int, now: float) -> int | None:
        if not broken:
            return None
        window = self.windows[broken - 1]
        return max(1, int((now // window.seconds + 1) * window.seconds - now))

    def _in_memory(self, error: Exception, keys: list[str], now: float) -> int:
        if not self._redis_down:
            self._redis_down = True
            log.warning("Redis unreachable for the lookup limits (%s): counting in memory", error)
        return self._hit_in_memory(keys, now)

    def _thread_connection(self) -> AbstractConnection:
        """This thread's connection (a forked worker opens its own)."""
        kept = getattr(self._connection, "kept", None)
        if kept is None or kept[0] != os.getpid():
            kept = self._connection.kept = (os.getpid(), self.redis.connection_pool.get_connection())
        return kept[1]

    def _hit_in_memory(self, keys: list[str], now: float) -> int:
        broken = 0
        with self._memory_lock:
            if len(self._memory) > 100_000:
                self._memory = {k: v for k, v in self._memory.items() if v[1] > now}
            for i, (key, window) in enumerate(zip(keys, self.windows, strict=True), start=1):
                count = self._memory.get(key, (0, 0))[0] + 1
                self._memory[key] = (count, int(now // window.seconds + 1) * window.seconds)
                if not broken and count > window.amount:
                    broken = i
        return broken


def init_app(app: Flask) -> None:
    if app.config["RATELIMIT_ENABLED"]:
        # The same Redis as everything else (REDIS_URL, or the primary Sentinel names).
        redis = connect(app.config, timeout=REDIS_TIMEOUT_SECONDS, connect_timeout=REDIS_TIMEOUT_SECONDS)
        app.extensions[EXTENSION] = LookupLimits(redis, app.config["LOOKUP_RATE_LIMIT"],
                                                 app.config.get("RATELIMIT_KEY_PREFIX", "tracuu"))


def lookup_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count the request against its client's lookup budget before the view runs."""

    @wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        count_lookup()
        return view(*args, **kwargs)

    return limited


def count_lookup() -> None:
    """Count one lookup against the client's budget; past it, 429 (the blueprint's handler
    says it in the reader's language, with Retry-After)."""
    limits = current_app.extensions.get(EXTENSION)
    wait = None if limits is None else limits.hit(client_key())
    if wait is not None:
        g.retry_after = wait
        raise TooManyRequests()


def seconds_to_wait() -> int:
    """Until the limit this request broke lets the client in again: for Retry-After on a 429."""
    return g.get("retry_after") or FALLBACK_WAIT_SECONDS
