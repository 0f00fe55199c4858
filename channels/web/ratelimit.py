"""Lookup rate limits per client (flask-limiter on Redis), one budget shared by every page and
API that resolves a code, so a guesser cannot spread over several doors."""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

log = logging.getLogger(__name__)

# No X-RateLimit-* headers: writing them costs two more Redis round trips on every lookup (more
# than rendering the page) and no client of ours reads them. A refused lookup gets Retry-After.
limiter = Limiter(key_func=get_remote_address, headers_enabled=False, swallow_errors=True)

lookup_limit = limiter.shared_limit(
    lambda: current_app.config["LOOKUP_RATE_LIMIT"], scope="lookup"
)

FALLBACK_WAIT_SECONDS = 60


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
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
