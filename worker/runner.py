"""The worker process: an RQ worker with its scheduler, plus the sweeper and the daily scan.

`flask --app app alerts-worker` runs it. The app (database pool, sender, Redis) is built once
per process; jobs run in that process (SimpleWorker) so a text costs no fork and no app start.
A job is still bounded by its timeout (SIGALRM), and a killed worker's job is picked up again
by the sweeper within ALERT_JOB_TIMEOUT_SECONDS x 1.5 + ALERT_SWEEP_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time

from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker, Worker
from rq.job import Job
from rq.worker import StopRequested
from sqlalchemy.exc import DBAPIError

from lookup.clock import local
from outage import DATABASE, REDIS
from worker import queues, scan, sweeper
from worker.context import Alerts
from worker.jobs import ALLOWED

log = logging.getLogger(__name__)

# A dead worker's registration expires after this; it also bounds how long BLPOP waits.
WORKER_TTL = 60
# RQ's own housekeeping (restarting a scheduler whose holder died, abandoned jobs).
MAINTENANCE_SECONDS = 30
SWEEP_LOCK = "tracuu:alerts:sweep"
SCAN_LOCK = "tracuu:alerts:scan:running"
SCAN_DONE = "tracuu:alerts:scan:done:{day}"
EXPECTED_LOCK = "tracuu:expected:running"
EXPECTED_DONE = "tracuu:expected:done:{day}"


class RefusedJob(Exception):
    """A job named a callable that is not one of ours (worker.jobs.ALLOWED)."""


class GuardedJob(Job):
    """A job that runs only our own job functions, and no callbacks.

    Anything that reaches Redis can write a job; without this the worker would import and call
    whatever it names (`os.system`, …). RQ's perform_job turns the refusal into a failed job.
    """

    @property
    def func(self):
        name = self.func_name
        if name not in ALLOWED or self.instance is not None:
            log.error("job %s refused: %r is not one of our job functions", self.id, name)
            raise RefusedJob(f"{name!r} is not one of our job functions")
        return super().func

    # Callbacks are imported by name too; ours use none.
    success_callback = failure_callback = stopped_callback = property(lambda self: None)


class _Defaults:
    log_result_lifespan = False

    def __init__(self, queue_names, *args, **kwargs) -> None:
        kwargs.setdefault("worker_ttl", WORKER_TTL)
        kwargs.setdefault("maintenance_interval", MAINTENANCE_SECONDS)
        kwargs.setdefault("job_class", GuardedJob)
        kwargs.setdefault("serializer", queues.SERIALIZER)
        super().__init__(queue_names, *args, **kwargs)
        self.stop_asked = False

    def request_stop(self, signum, frame) -> None:
        # RQ's work() also returns when Redis times out; only a signal means "stop for good".
        self.stop_asked = True
        super().request_stop(signum, frame)


class AlertWorker(_Defaults, SimpleWorker):
    """RQ's SimpleWorker with our defaults; `rq worker -w worker.runner.AlertWorker` works too.

    The default: jobs run in the process that already holds the app, so a text costs no fork.
    """


class ForkingAlertWorker(_Defaults, Worker):
    """RQ's default worker (a fork per job) with our defaults, for `alerts-worker --fork`:
    a job that corrupts its process cannot harm the next one, at the price of a fork each."""

    def main_work_horse(self, job, queue):
        # The child must not use the parent's pooled database connections.
        from worker import context

        context.current().store.engine.dispose(close=False)
        super().main_work_horse(job, queue)


def work_until_stopped(make_worker, burst: bool, pause: float = 5.0) -> None:
    """Run RQ workers one after another until a signal asks us to stop.

    RQ's loop gives up on a Redis timeout or an unexpected error; a process that then exited
    would leave the alerts unsent until someone restarts it, so we start a fresh worker instead.
    """
    while True:
        worker = None
        try:
            worker = make_worker()
            # Asked first, so a Redis that is still down costs one line, not RQ's traceback.
            worker.connection.ping()
            REDIS.answered()
            worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
        except RedisError as error:  # e.g. while registering its death with Redis gone
            REDIS.failed(error, "alerts wait for it (none is lost: the outbox is in the database)")
        if burst or (worker is not None and worker.stop_asked):
            return
        try:
            time.sleep(pause)
        except StopRequested:
            return


class Periodic(threading.Thread):
    """Sweeps every ALERT_SWEEP_SECONDS and scans once a day, whichever worker gets there first
    (a Redis lock decides), so running more workers does not run them more often. With Zalo on,
    refreshes its access token before it expires (the database decides who)."""

    # How often a worker looks at the Zalo token's expiry (one of them refreshes it, lookup.tokens).
    TOKEN_CHECK_SECONDS = 60.0

    def __init__(self, alerts: Alerts, tick_seconds: float = 1.0) -> None:
        super().__init__(name="alerts-periodic", daemon=True)
        self.alerts = alerts
        self.tick_seconds = tick_seconds
        self.stopping = threading.Event()
        self.token_checked = 0.0

    def run(self) -> None:
        while not self.stopping.wait(self.tick_seconds):
            try:
                self.tick()
            except RedisError as error:  # try again next tick; one line for the whole outage
                REDIS.failed(error)
            except DBAPIError as error:
                DATABASE.failed(error.orig or error, "alerts housekeeping waits for it")
            except Exception:
                log.exception("alerts housekeeping failed; trying again")
            else:
                REDIS.answered()
                DATABASE.answered()

    def tick(self) -> None:
        if "zalo" in self.alerts.routing.channels and \
                time.monotonic() - self.token_checked >= self.TOKEN_CHECK_SECONDS:
            self.token_checked = time.monotonic()
            self.alerts.zalo_tokens.refresh_if_due()
        redis: Redis = self.alerts.redis
        if redis.set(SWEEP_LOCK, "1", nx=True, ex=self.alerts.sweep_every):
            sweeper.sweep(self.alerts)
        done = SCAN_DONE.format(day=local(self.alerts.now()).date().isoformat())
        if not redis.exists(done) and redis.set(SCAN_LOCK, "1", nx=True, ex=600):
            try:
                scan.daily_scan(self.alerts)
                redis.set(done, "1", ex=3 * 24 * 3600)
            finally:
                redis.delete(SCAN_LOCK)
        # The expected completion (lookup.expected) is recomputed nightly, by one worker.
        refreshed = EXPECTED_DONE.format(day=local(self.alerts.now()).date().isoformat())
        if not redis.exists(refreshed) and redis.set(EXPECTED_LOCK, "1", nx=True, ex=3600):
            try:
                done_now = self.alerts.service.refresh_expected()
                log.info("expected completion refreshed: %d office/procedure pairs", done_now.pairs)
                redis.set(refreshed, "1", ex=3 * 24 * 3600)
            finally:
                redis.delete(EXPECTED_LOCK)
