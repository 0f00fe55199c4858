"""Outages of what every process depends on (Redis, the database), logged as they start and end."""

from __future__ import annotations

import logging
import threading


class Outage:
    """One log line when a dependency stops answering and one when it answers again, however
    many calls fail in between (not a traceback a second). Thread-safe; one per process and
    dependency (see `REDIS`)."""

    def __init__(self, what: str, log: logging.Logger) -> None:
        self.what = what
        self.log = log
        self.down = False
        self._lock = threading.Lock()

    def failed(self, error: BaseException, consequence: str = "") -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
        self.log.warning("%s unreachable (%s)%s", self.what, error, f"; {consequence}" if consequence else "")

    def answered(self) -> None:
        if not self.down:  # the usual case, without taking the lock
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        self.log.warning("%s answers again", self.what)


REDIS = Outage("Redis", logging.getLogger("tracuu.redis"))
DATABASE = Outage("The database", logging.getLogger("tracuu.database"))
