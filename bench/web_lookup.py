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

import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from common import demo_database, load_arguments, rates_by_route, served_app  # also sets sys.path

from lookup import qr
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
CODE, PIN = "000.00.04.H40-261102-0001", "204851"


def main() -> int:
    args = load_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="tracuu-bench-") as tmp:
        port = free_port()
        secret = secrets.token_urlsafe(32)
        env = {"DATABASE_URL": demo_database(tmp), "SECRET_KEY": secret, "VAR_DIR": tmp}
        form_post = {"body": urlencode({"code": CODE, "pin": PIN}).encode(),
                     "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
        routes = {
            "hello": ("GET", "/hello", {}),
            "lookup": ("POST", "/tra-cuu", form_post),
            "form": ("GET", "/", {}),
            "scanned": ("GET", "/d/" + qr.make_token(CODE, secret), {}),
        }
        with served_app(port, env):
            rates = rates_by_route(port, routes, args)

    hello_rate = rates["hello"]
    ratio = rates["lookup"] / hello_rate
    print(f"web_lookup: gunicorn 2 workers on 127.0.0.1, {args.clients} clients, "
          f"{args.rounds} rounds x {args.seconds:g} s per route")
    print(f"  hello-world route         : {hello_rate:8.1f} req/s")
    print(f"  lookup form (GET /)       : {rates['form']:8.1f} req/s  ratio {rates['form'] / hello_rate:.2f}")
    print(f"  QR link (GET /d/<token>)  : {rates['scanned']:8.1f} req/s  "
          f"ratio {rates['scanned'] / hello_rate:.2f}")
    print(f"  lookup result (POST, PIN) : {rates['lookup']:8.1f} req/s  ratio {ratio:.2f}")
    verdict = "met" if ratio >= 0.7 else "NOT met"
    print(f"  ratio result page / hello : {ratio:.2f} (target >= 0.70: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
