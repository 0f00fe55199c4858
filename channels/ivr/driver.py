"""Runs the pure flow against the lookup core: answers `Lookup` outputs with `Found` events.

Both adapters use it, so both hear the same thing for the same keys.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import metrics
from channels.ivr import flow, hours
from channels.ivr.flow import Event, Found, Lookup, Match, Output, Settings, State
from lookup import statuses
from lookup.clock import local
from lookup.service import Service
from lookup.views import DossierView, Proof

# A prefetched lookup is used for the confirmation that follows it, seconds later; not beyond.
PREFETCH_SECONDS = 60.0


def settings_from_config(config) -> Settings:
    """Raises ValueError when IVR_OFFICE_HOURS cannot be read."""
    return Settings(
        operator_number=config["IVR_OPERATOR_NUMBER"],
        office_hours=hours.parse(config["IVR_OFFICE_HOURS"]),
        office_hours_text=config["IVR_OFFICE_HOURS"],
        max_call_seconds=int(config["IVR_MAX_CALL_SECONDS"]),
    )


def to_match(view: DossierView) -> Match:
    return Match(
        code=view.code,
        status=view.status,
        due=local(view.due_at).date().isoformat() if view.due_at else None,
        overdue=view.overdue,
        final=statuses.get(view.status).final,
        office_vi=view.office.name_vi,
        office_en=view.office.name_en,
        address=view.office.address,
        hours=view.office.pickup_hours,
        note=view.note,
        proven=view.proven,
        procedure_vi=view.procedure_name_vi if view.proven else "",
        procedure_en=view.procedure_name_en if view.proven else "",
        days_left=view.working_days_left,
        days_late=view.working_days_late,
        due_today=view.due_today,
        expected_low=view.expected.figures.p50_working_days if view.expected else None,
        expected_high=view.expected.figures.p90_working_days if view.expected else None,
        expected_share=view.expected.figures.on_time_percent if view.expected else None,
    )


class Driver:
    def __init__(self, service: Service, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self.settings = settings
        self.clock = clock
        self._prefetched: dict[tuple[str, str], tuple[float, Future]] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def lookup(self, digits: str, caller: str, wait: bool = True) -> tuple[Match, ...] | None:
        """The matches for these keys; with `wait=False`, None unless a prefetch already has them."""
        with self._lock:
            entry = self._prefetched.get((digits, caller))
            if entry is not None and (wait or entry[1].done()):
                del self._prefetched[(digits, caller)]
        if entry is not None and time.monotonic() - entry[0] < PREFETCH_SECONDS:
            if not wait and not entry[1].done():
                return None
            try:
                return entry[1].result()
            except Exception:  # a failed prefetch is simply done again below
                pass
        if not wait:
            return None
        return self._fresh_lookup(digits, caller)

    def prefetch(self, state: State) -> None:
        """Look the keyed code up while the read-back plays, so the answer to "1" is instant."""
        if state.stage != flow.CONFIRM or not state.digits:
            return
        key = (state.digits, state.caller)
        now = time.monotonic()
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ivr-lookup")
            stale = [k for k, (at, _f) in self._prefetched.items() if now - at >= PREFETCH_SECONDS]
            for k in stale:
                del self._prefetched[k]
            if key in self._prefetched:
                return
            self._prefetched[key] = (now, self._pool.submit(self._fresh_lookup, *key))

    def _fresh_lookup(self, digits: str, caller: str) -> tuple[Match, ...]:
        views = self.service.resolve_keypad(digits, Proof(phone=caller or None))
        metrics.lookup("ivr", "found" if views else "not_found")
        return tuple(to_match(view) for view in views)

    def advance(self, state: State, event: Event, wait: bool = True) -> tuple[State, list[Output]] | None:
        """One turn of the flow, with its lookups done: the outputs hold no `Lookup`.

        With `wait=False` it returns None rather than wait for the database.
        """
        state, outputs = flow.step(state, event, self.settings)
        while outputs and isinstance(outputs[-1], Lookup):
            wanted = outputs.pop()
            matches = self.lookup(wanted.digits, wanted.caller, wait=wait)
            if matches is None:
                return None
            state, more = flow.step(state, Found(matches, self.clock()), self.settings)
            outputs.extend(more)
        return state, outputs

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
