"""Anything that reaches Redis can write a job: the worker runs only our own job functions.

The jobs here are written straight into Redis, as an intruder would, not through RQ's API.
"""

from __future__ import annotations

import json
import pickle
import zlib

import pytest
from redis import Redis
from rq.job import Job, JobStatus

from tests.worker.support import Dossiers, all_done, build_app, wait_until
from worker import queues


def _write_job(redis: Redis, job_id: str, data: bytes) -> None:
    """A job hash and a queue entry, as RQ 2 lays them out."""
    redis.hset(f"rq:job:{job_id}", mapping={
        "data": data, "origin": queues.ALERTS, "status": "queued", "description": "intruder",
        "created_at": "2026-11-20T03:00:00.000000Z", "enqueued_at": "2026-11-20T03:00:00.000000Z",
        "timeout": "30",
    })
    redis.sadd("rq:queues", f"rq:queue:{queues.ALERTS}")
    redis.rpush(f"rq:queue:{queues.ALERTS}", job_id)


class _Touch:
    """What a pickle can smuggle in: loading it runs os.system."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.path}",))


PAYLOADS = {
    # RQ's own JSON layout naming a callable that is not ours.
    "json_os_system": lambda marker: json.dumps(["os.system", None, [f"touch {marker}"], {}]).encode(),
    # RQ's default layout (zlib'd pickle) whose loading alone would run a command.
    "pickle_bomb": lambda marker: zlib.compress(pickle.dumps(_Touch(marker))),
    # A pickle naming os.system as the job's function, as `queue.enqueue(os.system, …)` with pickle.
    "pickled_os_system": lambda marker: zlib.compress(
        pickle.dumps(("os.system", None, (f"touch {marker}",), {}))),
}


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_a_job_naming_anything_else_is_refused_and_marked_failed(payload, values, workers, tmp_path, caplog):
    app = build_app(values)
    redis = Redis.from_url(values["REDIS_URL"])
    marker = tmp_path / "ran"
    _write_job(redis, "intruder-1", PAYLOADS[payload](marker))
    # A genuine alert queued behind it still goes out: the worker survives the refusal.
    shop = Dossiers(app)
    shop.event(shop.new(), "ready")

    group = workers(values)
    group.start(1)
    wait_until(lambda: redis.hget("rq:job:intruder-1", "status") == b"failed", timeout=60,
               what="the intruder's job to be marked failed")
    wait_until(lambda: all_done(app), timeout=60, what="the genuine alert")
    assert not marker.exists(), "the intruder's command ran"
    job = Job.fetch("intruder-1", connection=redis, serializer=queues.SERIALIZER)
    assert job.get_status() == JobStatus.FAILED
    logs = group.logs(full=True)
    assert "intruder-1" in logs
    app.extensions["tracuu.store"].dispose()


def test_our_own_jobs_are_on_the_allow_list():
    from worker import jobs

    assert jobs.ALLOWED == {"worker.jobs.send_alert", "worker.jobs.noop", "worker.jobs.answer_zalo_text",
                            "worker.jobs.answer_zalo_share"}
