"""For the operator's tools: /healthz (the process serves), /readyz (its database and Redis
answer) and /metrics (Prometheus), answered as plain JSON or text, never as a page."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from redis.exceptions import RedisError
from sqlalchemy import text

import metrics
from lookup.store.db import connection_lost
from outage import DATABASE
from redis_connections import connect

blueprint = Blueprint("health", __name__)
REDIS_KEY = "tracuu.health.redis"
# What a 503 for a database that does not answer asks clients to wait before trying again.
RETRY_AFTER_SECONDS = 5
# A readiness probe must answer before the prober gives up on us (nginx, systemd, Prometheus).
PROBE_TIMEOUT = 1.0


@blueprint.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Any:
    """200 when the database and Redis answer; else 503 naming which part did not."""
    parts = {"database": _check(_database_answers), "redis": _check(_redis_answers)}
    ready = all(state == "ok" for state in parts.values())
    response = jsonify(parts)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/metrics")
def metrics_view() -> Any:
    if not _may_read_metrics():
        return jsonify({"error": "forbidden",
                        "message": "Metrics are served to this machine or with "
                                   "'Authorization: Bearer <METRICS_TOKEN>'."}), 403
    return Response(metrics.render(_queue_depth), mimetype="text/plain; version=0.0.4; charset=utf-8")


def database_unavailable(error: BaseException) -> bool:
    """The database refused or dropped us even after the core's one retry: a 503 to try again
    (one log line for the whole outage), not a 500 with a traceback."""
    if connection_lost(error):
        DATABASE.failed(getattr(error, "orig", None) or error, "lookups and ingest answer 503")
        return True
    return False


@blueprint.after_app_request
def database_answered(response: Response) -> Response:
    if DATABASE.down and response.status_code < 500 and request.endpoint in _DATABASE_ENDPOINTS:
        DATABASE.answered()
    return response


# Endpoints whose success proves the database answers.
_DATABASE_ENDPOINTS = frozenset({"pages.lookup", "pages.receipt_link", "api.lookup", "api.put_dossier",
                                 "api.post_event", "health.readyz"})


def _check(probe) -> str:
    try:
        probe()
    except Exception:  # which error does not matter here: the part is not ready
        return "down"
    return "ok"


def _database_answers() -> None:
    with current_app.extensions["tracuu.store"].connect() as conn:
        conn.execute(text("SELECT 1"))


def _redis() -> Any:
    client = current_app.extensions.get(REDIS_KEY)
    if client is None:
        client = connect(current_app.config, timeout=PROBE_TIMEOUT, connect_timeout=PROBE_TIMEOUT)
        current_app.extensions[REDIS_KEY] = client
    return client


def _redis_answers() -> None:
    _redis().ping()


def _queue_depth() -> int | None:
    from rq import Queue

    from worker import queues

    try:
        return Queue(queues.ALERTS, connection=_redis()).count
    except (RedisError, OSError):
        return None


def _may_read_metrics() -> bool:
    """From this very machine (not forwarded by a proxy), or with the metrics token."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    # The TCP peer itself, even where ProxyFix rewrote remote_addr from X-Forwarded-For.
    peer = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR") or request.remote_addr
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(peer or "").is_loopback
    except ValueError:
        return False
