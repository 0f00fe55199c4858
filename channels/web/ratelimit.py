"""Lookup rate limits per client (flask-limiter on Redis), one budget shared by every page and
API that resolves a code, so a guesser cannot spread over several doors."""

from __future__ import annotations

import ipaddress
import logging
import time
from functools import lru_cache

from flask import Flask, current_app, request
from flask_limiter import Limiter

from redis_connections import limits_storage

log = logging.getLogger(__name__)

# No X-RateLimit-* headers: writing them costs two more Redis round trips on every lookup (more
# than rendering the page) and no client of ours reads them. A refused lookup gets Retry-After.


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


limiter = Limiter(key_func=client_key, headers_enabled=False, swallow_errors=True)

lookup_limit = limiter.shared_limit(
    lambda: current_app.config["LOOKUP_RATE_LIMIT"], scope="lookup"
)

FALLBACK_WAIT_SECONDS = 60


def init_app(app: Flask) -> None:
    uri, options = limits_storage(app.config)
    app.config.setdefault("RATELIMIT_STORAGE_URI", uri)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", options)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "tracuu")
    limiter.init_app(app)


def seconds_to_wait() -> int:
    """Until the limit this request broke lets the client in again: for Retry-After on a 429."""
    breached = limiter.current_limit
    if breached is None:
        return FALLBACK_WAIT_SECONDS
    try:
        return max(1, int(breached.reset_at - time.time()))
    except Exception:  # the limit store went away since it refused us; the refusal stands
        log.warning("rate limit store unreachable; Retry-After guessed", exc_info=True)
        return FALLBACK_WAIT_SECONDS
