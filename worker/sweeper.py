"""The sweeper: re-enqueue outbox rows that have no job in Redis (Redis was down at commit,
Redis lost its data, a worker died mid-send). Safe to run anywhere, any number of times: a
job for a row that needs nothing does nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from rq.utils import utcparse

from lookup.store import notifications as rows
from worker import dispatch, queues
from worker.context import Alerts

log = logging.getLogger(__name__)

BATCH = 2000
_WAITING = {JobStatus.QUEUED.value, JobStatus.SCHEDULED.value, JobStatus.DEFERRED.value}


def sweep(alerts: Alerts, now: datetime | None = None, grace: timedelta | None = None) -> int:
    """Enqueue what was left behind; how many. `grace` leaves fresh rows to their own enqueue.

    Every candidate row is looked at, in pages, so a backlog larger than a page cannot hide
    rows Redis lost behind rows it still has.
    """
    now = now or alerts.now()
    grace = timedelta(seconds=alerts.sweep_every) if grace is None else grace
    redis = alerts.redis
    # A worker killed right after popping a job leaves it here, still marked queued.
    queue = Queue(queues.ALERTS, connection=redis, serializer=queues.SERIALIZER)
    popped = set(queue.intermediate_queue.get_job_ids())
    enqueued, after = 0, 0
    while True:
        with alerts.store.connect() as conn:
            found = rows.left_behind(conn, due_before=now - grace, orphaned_before=now - alerts.lease,
                                     limit=BATCH, after_id=after)
        if not found:
            break
        ids = [dispatch.job_id(row.id, row.send_after) for row in found]
        for row, job_id, state in zip(found, ids, _job_states(redis, ids), strict=True):
            stuck = job_id in popped and _older_than(state[2], now, alerts.lease)
            if not stuck and _alive(state, now, alerts.lease):
                continue
            # At the front: these are older than anything queued, and an orphaned `sending` row
            # should not wait behind a morning's backlog to be resolved.
            dispatch.enqueue(alerts, row.id, row.send_after, now=now, at_front=True)
            enqueued += 1
        after = found[-1].id
    if enqueued:
        log.info("sweeper re-enqueued %d alerts", enqueued)
    return enqueued


def _job_states(redis: Redis, ids: list[str]) -> list[tuple[str | None, str | None, str | None]]:
    """(status, started_at, enqueued_at) of each job, None where Redis has no such job."""
    with redis.pipeline(transaction=False) as pipe:
        for job_id in ids:
            pipe.hmget(Job.key_for(job_id), "status", "started_at", "enqueued_at")
        answers = pipe.execute()
    return [tuple(v.decode() if v else None for v in answer) for answer in answers]


def _alive(state: tuple[str | None, str | None, str | None], now: datetime, lease: timedelta) -> bool:
    status, started_at, _ = state
    if status in _WAITING:
        return True
    if status == JobStatus.STARTED.value:
        return not _older_than(started_at, now, lease)
    return False


def _older_than(moment: str | None, now: datetime, age: timedelta) -> bool:
    if not moment:
        return True
    parsed = utcparse(moment)
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return now - parsed >= age
