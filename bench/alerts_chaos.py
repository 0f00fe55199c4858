"""The crash drill, large: N alerts (default 10,000) through real worker processes while one
of them is SIGKILLed about every 2 s and replaced (issue 5). Counted at the fake provider:
lost texts, duplicates, and, on Kannel (which cannot be asked), duplicates against the kills
that landed inside a send. The baseline beside each figure is the number of kills. `zalo` runs
ALERT_CHANNELS=zalo,sms (ZNS, a quarter of the phones without Zalo and so carried by Twilio's
fake): 0 lost, none on both channels, duplicates no more than kills inside a send (issue 14).

    .venv/bin/python bench/alerts_chaos.py [--n 10000] [--kill-every 2] [--provider twilio kannel zalo]
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import scratch_dir  # noqa: E402  (this folder is on sys.path)

from tests.support.servers import RedisServer  # noqa: E402
from tests.worker.chaos import drill  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="alerts per provider (default 10,000)")
    parser.add_argument("--workers", type=int, default=3, help="worker processes (default 3)")
    parser.add_argument("--kill-every", type=float, default=2.0, help="mean seconds between kills")
    parser.add_argument("--rate", type=int, default=0, help="SMS_RATE_PER_SECOND (default 0: no pacing)")
    parser.add_argument("--provider", nargs="+", default=["twilio", "kannel"],
                        choices=["twilio", "kannel", "zalo"])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    # Ctrl-C or a kill: still stop the workers and servers this started (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.basicConfig(level=logging.ERROR)
    failed = False
    for provider in args.provider:
        work = scratch_dir(f"alerts-chaos-{provider}-")
        redis = RedisServer(work).start()
        try:
            outcome = drill(provider, args.n, work, redis.url, workers=args.workers,
                            kill_every=args.kill_every, rate=args.rate, delay=0.01, batch=200,
                            timeout=3600, seed=args.seed, job_timeout=5)
        finally:
            redis.stop()
        print("\n".join(outcome.lines()))
        rate = outcome.alerts / outcome.seconds
        print(f"throughput under kills: {rate:.0f} alerts/s")
        if provider == "twilio":
            verdict = outcome.lost == 0 and outcome.duplicates == 0
            print(f"verdict: {'PASS' if verdict else 'FAIL'} (0 lost, 0 duplicates)")
        else:
            verdict = outcome.lost == 0 and outcome.duplicates <= outcome.kills_inside_send
            if provider == "zalo":
                verdict = verdict and outcome.both_channels == 0
            print(f"duplicates ÷ kills inside a send: {outcome.duplicates}/{outcome.kills_inside_send}")
            print(f"verdict: {'PASS' if verdict else 'FAIL'} (0 lost, duplicates ≤ kills inside a send)")
        print()
        failed = failed or not verdict
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
