"""CPU instructions per request of the citizen pages, and each ÷ hello-world's (issue 12).

Requests/s on a shared 2-core machine move by ±0.1 from one run to the next; instructions do
not. Each route is served by the real app (bench/web_app.py) through its WSGI callable, in one
process under valgrind's cachegrind (`--cache-sim=no`): once with no requests after the warm-up
and once with `--requests` of them, so start-up cancels out. Rate limit on, as in production
(a private redis-server, limits too high to reach); the redis-server's own work, gunicorn's and
the kernel's are not counted (bench/web_lookup.py measures everything together).

Usage: python bench/web_instructions.py [--requests 200]   (needs valgrind; about 2 minutes)
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from common import ROOT, demo_database  # also sets sys.path

from tests.support.servers import RedisServer, running

CODE = "000.00.04.H40-261102-0001"
SECRET = "bench-secret-" + "s" * 32
WARM_UP = 30
ROUTES = ("hello-world", "lookup page (GET /)", "result page, code only", "result page, PIN proven",
          "QR link")


def paths() -> dict[str, str]:
    from channels.web.result_link import Ticket, Tickets
    from lookup import qr

    tickets, now = Tickets(SECRET), datetime.now(UTC)
    return dict(zip(ROUTES, (
        "/hello", "/", "/tra-cuu/" + tickets.make(Ticket(CODE), now),
        "/tra-cuu/" + tickets.make(Ticket(CODE, proven=True), now), "/d/" + qr.make_token(CODE, SECRET),
    ), strict=True))


def serve(route: str, requests: int) -> None:
    """The child: the app, WARM_UP + `requests` calls of one route; every answer must be 200."""
    from bench.web_app import create_app

    app = create_app()
    path = paths()[route]
    status: list[str] = []
    for _ in range(WARM_UP + requests):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
                   "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
                   "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}
        b"".join(app(environ, lambda s, h, e=None: status.append(s)))
        if not status[-1].startswith("200"):
            raise SystemExit(f"{route}: {status[-1]}")


def instructions(route: str, requests: int, env: dict[str, str], folder: Path) -> int:
    out = folder / f"cg.{ROUTES.index(route)}.{requests}"
    subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}",
                    sys.executable, __file__, "--serve", route, str(requests)],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return int(re.search(r"^summary: (\d+)", out.read_text(), re.M).group(1))


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return 0
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests counted per route")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        print("web_instructions: skipped, it needs valgrind (apt install valgrind)")
        return 0
    with tempfile.TemporaryDirectory(prefix="tracuu-bench-") as tmp, running(RedisServer(Path(tmp))) as redis:
        env = {**os.environ, "DATABASE_URL": demo_database(tmp), "SECRET_KEY": SECRET, "VAR_DIR": tmp,
               "RATELIMIT_ENABLED": "1", "REDIS_URL": redis.url, "TRACUU_BENCH_HELLO": "1",
               "LOOKUP_RATE_LIMIT": "100000000/minute;1000000000/hour"}
        runs = [(route, n) for route in ROUTES for n in (0, args.requests)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            counted = dict(zip(runs, pool.map(lambda run: instructions(*run, env, Path(tmp)), runs),
                               strict=True))
    per_request = {route: (counted[route, args.requests] - counted[route, 0]) / args.requests
                   for route in ROUTES}
    hello = per_request["hello-world"]
    print(f"web_instructions: instructions per request in the app's process (cachegrind), "
          f"{args.requests} requests after {WARM_UP} to warm up; rate limit on")
    for route, count in per_request.items():
        print(f"  {route:28s}: {count / 1e6:5.2f} M   ÷ hello-world {count / hello:4.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
