"""What an operator graphs and alerts on, counted for Prometheus in one place.

The channel adapters and the worker count here; the core (`lookup/`) knows nothing of it.
With PROMETHEUS_MULTIPROC_DIR set (run.py and the systemd units set it) every process writes
its counts to files in that directory and `/metrics` sums them: all gunicorn workers and all
RQ workers of a host in one answer. It must be set before this module is first imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

CHANNELS = ("web", "api", "sms", "ivr")
# pin_locked: a dossier whose PIN was guessed wrong too often (where the channel asks for one).
LOOKUP_OUTCOMES = ("found", "not_found", "invalid", "limited", "pin_locked")

_lookups = Counter("tracuu_lookups", "Lookups answered, by channel and outcome.", ["channel", "outcome"])
_alerts = Counter("tracuu_alerts", "Alert jobs run, by kind and what came of them.", ["kind", "status"])
_provider_send = Histogram(
    "tracuu_provider_send_seconds", "Time a provider took to accept (or refuse) one text.", ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30))
_ivr_calls = Gauge("tracuu_ivr_calls_active", "Hotline calls in progress.", multiprocess_mode="livesum")
_ingest = Counter("tracuu_ingest_requests", "Back-office ingest requests, by outcome.", ["outcome"])

# Every combination is shown from the start (as 0), so a rate() alert has a series to read.
for _channel in CHANNELS:
    for _outcome in LOOKUP_OUTCOMES:
        _lookups.labels(_channel, _outcome)


def lookup(channel: str, outcome: str) -> None:
    """Count one lookup; `outcome` is one of LOOKUP_OUTCOMES."""
    _lookups.labels(channel, outcome).inc()


def alert(kind: str, status: str) -> None:
    _alerts.labels(kind, status).inc()


def provider_send(provider: str, seconds: float) -> None:
    _provider_send.labels(provider).observe(seconds)


def ivr_calls_active(count: int) -> None:
    _ivr_calls.set(count)


def ingest(status_code: int) -> None:
    """Count one ingest request by its HTTP status."""
    _ingest.labels(ingest_outcome(status_code)).inc()


def ingest_outcome(status_code: int) -> str:
    if status_code < 400:
        return "ok"
    return _INGEST_OUTCOMES.get(status_code, "error" if status_code >= 500 else "rejected")


_INGEST_OUTCOMES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 503: "busy"}


def process_exited(pid: int) -> None:
    """A gunicorn worker is gone: its live gauges stop counting (gunicorn's child_exit hook)."""
    if multiprocess():
        mark_process_dead(pid)


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def render(queue_depth: Callable[[], int | None]) -> bytes:
    """The text exposition of every process's counts, plus the alert queue's depth now
    (`queue_depth` returns None when Redis cannot be asked: the gauge is left out then)."""
    registry = CollectorRegistry()
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    body = generate_latest(registry)
    depth = queue_depth()
    if depth is not None:
        gauge = GaugeMetricFamily("tracuu_alert_queue_depth", "Alert jobs waiting in the queue.",
                                  value=depth)
        extra = CollectorRegistry()
        extra.register(_Fixed(gauge))
        body += generate_latest(extra)
    return body


class _Fixed:
    def __init__(self, family: GaugeMetricFamily) -> None:
        self.family = family

    def collect(self):
        yield self.family
