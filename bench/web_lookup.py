"""Requests/s of the citizen pages ÷ requests/s of a bare hello-world route, in the same app
under the same server (gunicorn, 2 workers) on 127.0.0.1, with the same client load.

Usage: python bench/web_lookup.py [--seconds 1.5] [--rounds 8] [--clients 8]

Issue 3 calls the page at / the lookup page (its item 1) and the page that answers a lookup
the result page (item 2); its target is lookup page ÷ hello-world ≥ 0.7. The result page
and the receipt's QR link are measured beside it with no target: they read the dossier and
render it. The result page is measured twice: with the code only, as most citizens ask, and
with the PIN too (the full view with the timeline, the heaviest page). The rate limit is off
(RATELIMIT_ENABLED=0) so every request is served.

Each route's round runs right after a hello-world round and is divided by it; the figure is
the median over the rounds, so a noisy spell on the machine spoils one pair, not the result.
"""

from __future__ import annotations

import secrets
import tempfile
from urllib.parse import urlencode

from common import demo_database, load_arguments, paired_ratios, served_app  # also sets sys.path

from lookup import qr
from tests.support.servers import free_port

CODE, PIN = "000.00.04.H40-261102-0001", "204851"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TARGET = 0.7


def main() -> int:
    args = load_arguments(__doc__.splitlines()[0], seconds=1.5, rounds=8)
    with tempfile.TemporaryDirectory(prefix="tracuu-bench-") as tmp:
        port = free_port()
        secret = secrets.token_urlsafe(32)
        env = {"DATABASE_URL": demo_database(tmp), "SECRET_KEY": secret, "VAR_DIR": tmp}
        routes = {
            "lookup page (GET /)": ("GET", "/", {"expect": b'name="code"'}),
            "result page, code only (POST)": (
                "POST", "/tra-cuu", {"body": urlencode({"code": CODE}).encode(), "headers": FORM,
                                     "expect": CODE.encode()}),
            "result page, code + PIN (POST)": (
                "POST", "/tra-cuu", {"body": urlencode({"code": CODE, "pin": PIN}).encode(),
                                     "headers": FORM, "expect": b'class="timeline"'}),
            "QR link (GET /d/<token>)": (
                "GET", "/d/" + qr.make_token(CODE, secret), {"expect": b'class="timeline"'}),
        }
        with served_app(port, env):
            hello_rate, rates, ratios = paired_ratios(port, ("GET", "/hello", {"expect": b"hello"}),
                                                      routes, args)

    print(f"web_lookup: gunicorn 2 workers on 127.0.0.1, {args.clients} clients, {args.rounds} rounds; "
          f"each route {args.seconds:g} s right after {args.seconds:g} s of hello-world")
    print(f"  {'hello-world route':32s}: {hello_rate:7.1f} req/s")
    for name, rate in rates.items():
        print(f"  {name:32s}: {rate:7.1f} req/s  ratio {ratios[name]:.2f}")
    lookup = ratios["lookup page (GET /)"]
    verdict = "met" if lookup >= TARGET else "NOT met"
    print(f"  ratio lookup page / hello: {lookup:.2f} (issue 3 target >= {TARGET}: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
