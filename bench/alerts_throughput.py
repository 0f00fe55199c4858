"""Alerts per second through a fake provider ÷ no-op jobs per second, same worker class
(worker.runner.AlertWorker, one process), same private Redis, one run (issue 5; target ≥ 0.5).

An alert job reads its row (with the phone's opt-out), claims it (compare-and-set), sends it
and records the provider's message id, on a SQLite file (WAL). Two providers: Twilio through
the official `twilio` SDK to a local fake of its Messages API, and Kannel's `sendsms` (plain
HTTP) to a local fake of smsbox. The no-op jobs are enqueued with the same options (retry,
timeouts, TTLs) as alerts. Pacing is off (SMS_RATE_PER_SECOND=0): this measures what a
worker can do, not what the provider allows. Rates come from RQ's own job start/end times,
so process start-up is not counted; the kinds alternate in rounds, so a noisy neighbour
slows them all alike.

    .venv/bin/python bench/alerts_throughput.py [--n 2000] [--rounds 4] [--fork]
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import scratch_dir  # noqa: E402  (this folder is on sys.path)
from redis import Redis  # noqa: E402
from rq import Queue, Retry  # noqa: E402
from rq.job import Job  # noqa: E402

from tests.support.servers import RedisServer  # noqa: E402
from tests.worker.chaos import create  # noqa: E402
from tests.worker.fakes import FakeKannel, SlowTwilio  # noqa: E402
from tests.worker.support import Workers, all_done, build_app, settings, wait_until  # noqa: E402
from worker import dispatch, queues  # noqa: E402
from worker.jobs import noop  # noqa: E402


def timed(redis: Redis) -> tuple[int, float]:
    """(jobs, seconds) from the first start to the last end of the finished jobs; forgets them."""
    queue = Queue(queues.ALERTS, connection=redis, serializer=queues.SERIALIZER)
    ids = queue.finished_job_registry.get_job_ids()
    jobs = [j for j in Job.fetch_many(ids, connection=redis, serializer=queues.SERIALIZER) if j is not None]
    start = min(j.started_at for j in jobs)
    end = max(j.ended_at for j in jobs)
    for job_id in ids:
        queue.finished_job_registry.remove(job_id, delete_job=True)
    return len(jobs), (end - start).total_seconds()


def burst(values: dict, workdir: Path, extra: tuple[str, ...]) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    proc = Workers(values, workdir).spawn(1, "--burst", "--no-housekeeping", *extra)[0]
    proc.wait(timeout=900)


def measure(redis: Redis, apps: dict, work: Path, per_round: int, rounds: int, extra: tuple[str, ...],
            first: int) -> dict[str, float]:
    """Jobs per second of each kind (noop, twilio, kannel), alternating in rounds."""
    alerts = apps["twilio"][0].extensions["tracuu.alerts"]
    queue = Queue(queues.ALERTS, connection=redis, serializer=queues.SERIALIZER)
    retry = Retry(max=len(alerts.retry_intervals), interval=alerts.retry_intervals)
    totals = {"noop": [0, 0.0], "twilio": [0, 0.0], "kannel": [0, 0.0]}
    for number in range(rounds):
        for i in range(per_round):
            queue.enqueue(noop, i, retry=retry, job_timeout=alerts.job_timeout,
                          result_ttl=dispatch.RESULT_TTL, failure_ttl=dispatch.FAILURE_TTL,
                          description=f"noop {i}")
        burst(apps["twilio"][1], work / f"noop{first + number}", extra)
        jobs, seconds = timed(redis)
        totals["noop"][0] += jobs
        totals["noop"][1] += seconds
        for provider, (app, values) in apps.items():
            create(app, per_round, batch=1000, first=first + number * per_round)
            burst(values, work / f"{provider}{first + number}", extra)
            wait_until(lambda app=app: all_done(app), timeout=60, what="all alerts done")
            jobs, seconds = timed(redis)
            totals[provider][0] += jobs
            totals[provider][1] += seconds
    return {kind: jobs / seconds for kind, (jobs, seconds) in totals.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="jobs of each kind (default 2000)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    parser.add_argument("--fork", action="store_true",
                        help="also measure RQ's forking worker class (alerts-worker --fork)")
    args = parser.parse_args()
    # Ctrl-C or a kill: still stop the workers and servers this started (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.basicConfig(level=logging.ERROR)
    per_round = args.n // args.rounds
    work = scratch_dir("alerts-bench-")
    redis_server = RedisServer(work).start()
    twilio, kannel = SlowTwilio().start(), FakeKannel().start()
    classes = {"AlertWorker (SimpleWorker, the default)": ()}
    if args.fork:
        classes["ForkingAlertWorker (RQ's Worker, --fork)"] = ("--fork",)
    results = {}
    try:
        redis = Redis.from_url(redis_server.url)
        apps = {}
        for provider in ("twilio", "kannel"):
            values = settings(f"sqlite:///{work / f'{provider}.db'}", redis_server.url, SMS_SENDER=provider,
                              TWILIO_API_URL=twilio.url, KANNEL_SENDSMS_URL=kannel.url)
            apps[provider] = (build_app(values), values)
        for index, (label, extra) in enumerate(classes.items()):
            results[label] = measure(redis, apps, work, per_round, args.rounds, extra,
                                     first=index * args.rounds * per_round + index * 1000)
    finally:
        twilio.stop()
        kannel.stop()
        redis_server.stop()
    for label, rates in results.items():
        print(f"{label}, one process, {args.n} jobs of each kind in {args.rounds} alternating rounds:")
        print(f"  no-op jobs:     {rates['noop']:.0f} jobs/s")
        for provider in ("twilio", "kannel"):
            ratio = rates[provider] / rates["noop"]
            print(f"  {provider} alerts: {rates[provider]:>5.0f} alerts/s  ratio {ratio:.2f}  (target ≥ 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
