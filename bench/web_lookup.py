"""Requests/s of the lookup result page ÷ requests/s of a bare hello-world route, in the same
app under the same server (gunicorn, 2 workers) on 127.0.0.1, with the same client load.

Usage: python bench/web_lookup.py [--seconds 4] [--rounds 2] [--clients 8]
Target (issue 3): ratio ≥ 0.7.

The result page is POST /tra-cuu with a demo code and its PIN: the full view (timeline,
dates in the reader's language), the heaviest page a citizen asks for. The rate limit is off
(RATELIMIT_ENABLED=0) so every request is served. Routes alternate in rounds, so a slow patch
of the machine falls on both.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from common import demo_database, hammer, load_arguments  # also puts the repository on sys.path

from lookup import qr
from tests.support.servers import free_port, stop, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
CODE, PIN = "000.00.04.H40-261102-0001", "204851"


def main() -> int:
    args = load_arguments(__doc__.splitlines()[0])

    with tempfile.TemporaryDirectory(prefix="tracuu-bench-") as tmp:
        database = demo_database(tmp)

        port = free_port()
        secret = secrets.token_urlsafe(32)
        qr_path = "/d/" + qr.make_token(CODE, secret)
        env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": secret,
               "VAR_DIR": tmp, "RATELIMIT_ENABLED": "0", "REDIS_URL": "redis://127.0.0.1:1/0",
               "TRACUU_BENCH_HELLO": "1"}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = subprocess.Popen(
            [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning",
             "bench.web_app:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        try:
            wait_for_port(port, timeout=30, proc=server)
            lookup_body = urlencode({"code": CODE, "pin": PIN}).encode()
            form_post = {"body": lookup_body,
                         "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
            hammer(port, "GET", "/hello", seconds=1.0, clients=args.clients)  # warm up both workers
            hammer(port, "POST", "/tra-cuu", seconds=1.0, clients=args.clients, **form_post)
            hello, form, lookup, scanned = [], [], [], []
            for _ in range(args.rounds):
                hello.append(hammer(port, "GET", "/hello", seconds=args.seconds, clients=args.clients))
                lookup.append(hammer(port, "POST", "/tra-cuu", seconds=args.seconds, clients=args.clients,
                                     **form_post))
                form.append(hammer(port, "GET", "/", seconds=args.seconds, clients=args.clients))
                scanned.append(hammer(port, "GET", qr_path, seconds=args.seconds, clients=args.clients))
        finally:
            stop(server)

    hello_rate = sum(hello) / len(hello)
    form_rate, lookup_rate = sum(form) / len(form), sum(lookup) / len(lookup)
    scanned_rate = sum(scanned) / len(scanned)
    ratio = lookup_rate / hello_rate
    print(f"web_lookup: gunicorn 2 workers on 127.0.0.1, {args.clients} clients, "
          f"{args.rounds} rounds x {args.seconds:g} s per route")
    print(f"  hello-world route         : {hello_rate:8.1f} req/s")
    print(f"  lookup form (GET /)       : {form_rate:8.1f} req/s  ratio {form_rate / hello_rate:.2f}")
    print(f"  QR link (GET /d/<token>)  : {scanned_rate:8.1f} req/s  ratio {scanned_rate / hello_rate:.2f}")
    print(f"  lookup result (POST, PIN) : {lookup_rate:8.1f} req/s  ratio {ratio:.2f}")
    verdict = "met" if ratio >= 0.7 else "NOT met"
    print(f"  ratio result page / hello : {ratio:.2f} (target >= 0.70: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
