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
from redis_connections import connect

blueprint = Blueprint("health", __name__)
REDIS_KEY = "tracuu.health.redis"
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
