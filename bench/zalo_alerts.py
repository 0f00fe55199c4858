"""Alerts per second through the Zalo path (ALERT_CHANNELS=zalo,sms, ZNS to a local fake of
Zalo's API) ÷ no-op jobs per second, same worker class (worker.runner.AlertWorker, one process),
same private Redis, one run (issue 14; target ≥ 0.5).

Each alert job reads its row, claims it (compare-and-set), sends the template message with the
OA's access token (held in the database, fetched once before the rounds) and records Zalo's
msg_id. `--refused` sends that share of the phones to "no Zalo account" (-118), so those alerts
go by SMS (Twilio's fake) in the same job, as in production. Pacing is off. Rates come from RQ's
own job start/end times; the kinds alternate in rounds, so a noisy neighbour slows both alike.

    .venv/bin/python bench/zalo_alerts.py [--n 2000] [--rounds 4] [--refused 0.0]
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alerts_throughput import burst, timed  # noqa: E402  (this folder is on sys.path)
from common import scratch_dir  # noqa: E402  (this folder is on sys.path)
from redis import Redis  # noqa: E402
from rq import Queue, Retry  # noqa: E402

from tests.support.fake_zalo import FakeZalo  # noqa: E402
from tests.support.servers import RedisServer  # noqa: E402
from tests.worker.chaos import create  # noqa: E402
from tests.worker.fakes import SlowTwilio  # noqa: E402
from tests.worker.support import (  # noqa: E402
    all_done,
    all_rows,
    build_app,
    settings,
    wait_until,
    zalo_settings,
)
from worker import dispatch, queues  # noqa: E402
from worker.jobs import noop  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="jobs of each kind (default 2000)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    parser.add_argument("--refused", type=float, default=0.0,
                        help="share of phones Zalo refuses, carried by SMS instead (default 0)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.basicConfig(level=logging.ERROR)
    per_round = args.n // args.rounds
    work = scratch_dir("zalo-bench-")
    redis_server = RedisServer(work).start()
    zalo, twilio = FakeZalo().start(), SlowTwilio().start()
    try:
        redis = Redis.from_url(redis_server.url)
        values = settings(f"sqlite:///{work / 'zalo.db'}", redis_server.url, TWILIO_API_URL=twilio.url,
                          **zalo_settings(zalo.url))
        app = build_app(values)
        alerts = app.extensions["tracuu.alerts"]
        alerts.zalo_tokens.access_token()  # the first refresh is not what is measured
        if args.refused:
            every = max(1, round(1 / args.refused))
            for i in range(0, args.n, every):
                zalo.refuse(f"+849{i:08d}", FakeZalo.NO_ZALO_ACCOUNT)
        queue = Queue(queues.ALERTS, connection=redis, serializer=queues.SERIALIZER)
        retry = Retry(max=len(alerts.retry_intervals), interval=alerts.retry_intervals)
        totals = {"noop": [0, 0.0], "zalo": [0, 0.0]}
        for number in range(args.rounds):
            for i in range(per_round):
                queue.enqueue(noop, i, retry=retry, job_timeout=alerts.job_timeout,
                              result_ttl=dispatch.RESULT_TTL, failure_ttl=dispatch.FAILURE_TTL,
                              description=f"noop {i}")
            burst(values, work / f"noop{number}", ())
            jobs, seconds = timed(redis)
            totals["noop"][0] += jobs
            totals["noop"][1] += seconds
            create(app, per_round, batch=1000, first=number * per_round)
            burst(values, work / f"zalo{number}", ())
            wait_until(lambda: all_done(app), timeout=120, what="all alerts done")
            jobs, seconds = timed(redis)
            totals["zalo"][0] += jobs
            totals["zalo"][1] += seconds
        found = all_rows(app)
    finally:
        zalo.stop()
        twilio.stop()
        redis_server.stop()
    rates = {kind: jobs / seconds for kind, (jobs, seconds) in totals.items()}
    by_zalo = sum(1 for r in found if r.channel == "zalo" and r.status == "sent")
    by_sms = sum(1 for r in found if r.channel == "sms" and r.status == "sent")
    print(f"AlertWorker (SimpleWorker), one process, {args.n} jobs of each kind in {args.rounds} "
          f"alternating rounds, {args.refused:.0%} of phones refused by Zalo:")
    print(f"  no-op jobs:      {rates['noop']:.0f} jobs/s")
    print(f"  zalo alerts:     {rates['zalo']:>5.0f} alerts/s  ratio {rates['zalo'] / rates['noop']:.2f}"
          f"  (target ≥ 0.5)")
    print(f"  carried by zalo: {by_zalo}, by sms after a refusal: {by_sms}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
