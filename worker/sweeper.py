"""The sweeper: re-enqueue outbox rows that have no job in Redis (Redis was down at commit,
Redis lost its data, a worker died mid-send). Safe to run anywhere, any number of times: a
job for a row that needs nothing does nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from rq import Queue
from rq.job import Job, JobStatus

from lookup.store import notifications as rows
from worker import dispatch, queues
from worker.context import Alerts

log = logging.getLogger(__name__)

BATCH = 2000
_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def sweep(alerts: Alerts, now: datetime | None = None, grace: timedelta | None = None) -> int:
    """Enqueue what was left behind; how many. `grace` leaves fresh rows to their own enqueue."""
    now = now or alerts.now()
    grace = timedelta(seconds=alerts.sweep_every) if grace is None else grace
    with alerts.store.connect() as conn:
        found = rows.left_behind(conn, now, due_before=now - grace,
                                 orphaned_before=now - alerts.lease, limit=BATCH)
    if not found:
        return 0
    ids = [dispatch.job_id(row.id, row.send_after) for row in found]
    jobs = Job.fetch_many(ids, connection=alerts.redis)
    # A worker killed right after popping a job leaves it here, still marked queued.
    popped = set(Queue(queues.ALERTS, connection=alerts.redis).intermediate_queue.get_job_ids())
    enqueued = 0
    for row, job in zip(found, jobs, strict=True):
        stuck = job is not None and job.id in popped and _older_than(job.enqueued_at, now, alerts.lease)
        if not stuck and _has_live_job(job, now, alerts.lease):
            continue
        dispatch.enqueue(alerts, row.id, row.send_after, now=now)
        enqueued += 1
    if enqueued:
        log.info("sweeper re-enqueued %d alerts", enqueued)
    return enqueued


def _has_live_job(job: Job | None, now: datetime, lease: timedelta) -> bool:
    if job is None:
        return False
    status = job.get_status(refresh=False)
    if status in _WAITING:
        return True
    if status == JobStatus.STARTED and job.started_at is not None:
        return not _older_than(job.started_at, now, lease)
    return False


def _older_than(moment: datetime | None, now: datetime, age: timedelta) -> bool:
    if moment is None:
        return True
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return now - moment >= age
