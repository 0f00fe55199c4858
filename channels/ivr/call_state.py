"""Where each hotline call is in the flow, kept in Redis under its channel's name.

The Asterisk adapter saves a call's record after every turn; when the AMI link comes back, or
when a redeployed adapter logs in, it reads the records of the calls still on the switch and
carries them on from where they were, instead of leaving them in silence or apologising.

Saving never waits: records go to a writer thread that sends the latest of each channel's in
one pipeline, so a slow or absent Redis costs a call turn nothing (the call then only survives
a reconnect, which the adapter's memory covers, not a redeploy). Reading waits; the adapter
reads only after a login, off the AMI reader thread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Seconds to wait before writing again after Redis refused a write.
RETRY_SECONDS = 1.0


class CallStates:
    """Call records in Redis: `save` and `forget` queue, `load` and `channels` read now."""

    def __init__(self, redis: Redis, prefix: str, ttl: int) -> None:
        """`redis` from redis_connections.connect() (REDIS_URL or Sentinel), short timeouts."""
        self.prefix = prefix
        # A call's record outlives the longest call a little, then Redis drops it by itself.
        self.ttl = ttl
        self._redis = redis
        self._pending: dict[str, Callable[[], dict[str, Any]] | None] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._closing = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._write_loop, name="ivr-call-states", daemon=True)
        self._thread.start()

    def save(self, channel: str, record: Callable[[], dict[str, Any]]) -> None:
        """Queue the channel's record: `record()` is called on the writer thread."""
        self._queue(channel, record)

    def forget(self, channel: str) -> None:
        self._queue(channel, None)

    def load(self, channel: str) -> dict[str, Any] | None:
        """The channel's record, or None (none, unreadable, or Redis unreachable)."""
        with self._lock:
            if channel in self._pending:
                queued = self._pending[channel]
                return queued() if queued is not None else None
        try:
            raw = self._redis.get(self.prefix + channel)
            return json.loads(raw) if raw else None
        except (RedisError, ValueError) as error:
            log.warning("IVR: cannot read the state of %s from Redis (%s)", channel, error)
            return None

    def channels(self) -> list[str]:
        """Every channel with a record (this switch's: the prefix names it)."""
        try:
            keys = self._redis.scan_iter(self.prefix + "*", count=500)
            found = {key.decode()[len(self.prefix):] for key in keys}
        except RedisError as error:
            log.warning("IVR: cannot list call states in Redis (%s); calls in progress before this "
                        "adapter started cannot be carried on", error)
            found = set()
        with self._lock:
            found |= {channel for channel, record in self._pending.items() if record is not None}
            found -= {channel for channel, record in self._pending.items() if record is None}
        return sorted(found)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything saved so far is written (or given up on); True if it was."""
        self._wake.set()
        return self._idle.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        self.flush(timeout)
        self._closing.set()
        self._wake.set()
        self._thread.join(timeout)
        self._redis.close()

    def _queue(self, channel: str, record: Callable[[], dict[str, Any]] | None) -> None:
        with self._lock:
            self._pending[channel] = record
            self._idle.clear()
        self._wake.set()

    def _write_loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                batch, self._pending = self._pending, {}
            if batch and not self._write(batch):
                with self._lock:
                    # Keep what failed, unless a newer record came meanwhile.
                    for channel, record in batch.items():
                        self._pending.setdefault(channel, record)
                if self._closing.wait(RETRY_SECONDS):
                    self._idle.set()
                    return
                self._wake.set()
                continue
            with self._lock:
                if not self._pending:
                    self._idle.set()
            if self._closing.is_set():
                return

    def _write(self, batch: dict[str, Callable[[], dict[str, Any]] | None]) -> bool:
        try:
            pipe = self._redis.pipeline(transaction=False)
            for channel, record in batch.items():
                if record is None:
                    pipe.delete(self.prefix + channel)
                else:
                    pipe.set(self.prefix + channel, json.dumps(record(), separators=(",", ":")), ex=self.ttl)
            pipe.execute()
        except RedisError as error:
            if not self._failing:
                log.warning("IVR: cannot save call states to Redis (%s); calls carry on after a "
                            "reconnect, but not after a redeploy, until it is back", error)
                self._failing = True
            return False
        if self._failing:
            log.info("IVR: call states are saved to Redis again")
            self._failing = False
        return True
