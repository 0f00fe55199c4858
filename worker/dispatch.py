"""Putting notification ids on the queue: now, or at the end of quiet hours (`enqueue_at`); and
chat events from the Zalo webhook on the `chat` queue, once each."""

from __future__ import annotations

import logging
from datetime import datetime

from redis.exceptions import RedisError
from rq import Queue, Retry

from outage import REDIS
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
            # The rest would wait for the same timeout each: the sweeper enqueues them all.
            REDIS.failed(error, "new alerts wait in the database for the sweeper")
            log.info("%s alerts left for the sweeper", len(pending) - done)
            return done
    if pending:
        REDIS.answered()
    return done


# A chat event's id is remembered this long, so that Zalo sending it again is not answered twice.
CHAT_SEEN_SECONDS = 24 * 3600
CHAT_SEEN_KEY = "tracuu:zalo:event:{key}"
# Replies are worth a few quick tries; a citizen waiting for an answer will not wait an hour.
CHAT_RETRY_INTERVALS = [5, 30, 120]


def enqueue_chat(alerts: Alerts, kind: str, key: str, user_id: str, value: str) -> bool:
    """Queue the answer to one chat event ("text": value is the text; "share": the phone shared),
    unless an event with this `key` (Zalo's msg_id) was queued already. Raises RedisError."""
    from worker.jobs import answer_zalo_share, answer_zalo_text

    seen = CHAT_SEEN_KEY.format(key=key)
    if not alerts.redis.set(seen, "1", nx=True, ex=CHAT_SEEN_SECONDS):
        return False
    job = answer_zalo_text if kind == "text" else answer_zalo_share
    try:
        Queue(queues.CHAT, connection=alerts.redis, serializer=queues.SERIALIZER).enqueue(
            job, user_id, value, job_id=f"zalo-{kind}-{key}",
            retry=Retry(max=len(CHAT_RETRY_INTERVALS), interval=CHAT_RETRY_INTERVALS),
            job_timeout=alerts.job_timeout, result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL,
            description=f"zalo {kind}")
    except RedisError:
        alerts.redis.delete(seen)
        raise
    return True
