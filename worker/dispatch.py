"""Putting notification ids on the queue: now, or at the end of quiet hours (`enqueue_at`)."""

from __future__ import annotations

import logging
from datetime import datetime

from redis.exceptions import RedisError
from rq import Queue, Retry

from worker import queues
from worker.context import Alerts

log = logging.getLogger(__name__)

RESULT_TTL = 600
FAILURE_TTL = 7 * 24 * 3600


def job_id(notification_id: int, send_after: datetime | None) -> str:
    """One job id per (notification, due time): the sweeper can tell whether it is in Redis,
    and a deferral makes a new job rather than overwrite the running one."""
    return f"alert-{notification_id}-{int(send_after.timestamp()) if send_after else 0}"


def enqueue(alerts: Alerts, notification_id: int, send_after: datetime | None,
            now: datetime | None = None, *, at_front: bool = False) -> str:
    """Raise RedisError when Redis is unreachable; the row waits for the sweeper then.
    `at_front` puts a due job before the backlog (the sweeper's: they are the oldest)."""
    from worker.jobs import send_alert

    now = now or alerts.now()
    queue = Queue(queues.ALERTS, connection=alerts.redis, serializer=queues.SERIALIZER)
    options = {
        "job_id": job_id(notification_id, send_after),
        "retry": Retry(max=len(alerts.retry_intervals), interval=alerts.retry_intervals),
        "job_timeout": alerts.job_timeout,
        "result_ttl": RESULT_TTL,
        "failure_ttl": FAILURE_TTL,
        "description": f"alert {notification_id}",
    }
    if send_after is not None and send_after > now:
        job = queue.enqueue_at(send_after, send_alert, notification_id, **options)
    else:
        job = queue.enqueue(send_alert, notification_id, at_front=at_front, **options)
    return job.id


def enqueue_quietly(alerts: Alerts, pending: list[tuple[int, datetime | None]]) -> int:
    """Enqueue after a commit; a Redis outage is logged, not raised: the change is safe and the
    sweeper will enqueue these rows once Redis is back. How many were enqueued."""
    done = 0
    for notification_id, send_after in pending:
        try:
            enqueue(alerts, notification_id, send_after)
            done += 1
        except RedisError as error:
            log.warning("alert %s not enqueued (%s); the sweeper will pick it up", notification_id, error)
    return done
