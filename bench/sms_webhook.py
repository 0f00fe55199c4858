"""Requests/s of a signed Twilio inbound webhook ÷ requests/s of a bare hello-world route, in the
same app under the same server (gunicorn, 2 workers) on 127.0.0.1, with the same client load.

Usage: python bench/sms_webhook.py [--seconds 4] [--rounds 2] [--clients 8]
Target (issue 6): ratio ≥ 0.5.

Each webhook request is what Twilio sends for an SMS `TC <code>`: form-encoded, signed with
X-Twilio-Signature. The app verifies the signature, reads the sender's saved language, looks the
code up (the sender's phone as proof), writes the reply and answers TwiML. Limits are off
(RATELIMIT_ENABLED=0) so every request is served. Routes alternate in rounds.
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
from twilio.request_validator import RequestValidator

from tests.support.servers import free_port, stop, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
CODE = "000.00.04.H40-261102-0001"
TOKEN = secrets.token_hex(16)


def main() -> int:
    args = load_arguments(__doc__.splitlines()[0])

    with tempfile.TemporaryDirectory(prefix="tracuu-bench-") as tmp:
        database = demo_database(tmp)

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": database, "SECRET_KEY": secrets.token_urlsafe(32),
               "VAR_DIR": tmp, "RATELIMIT_ENABLED": "0", "REDIS_URL": "redis://127.0.0.1:1/0",
               "TRACUU_BENCH_HELLO": "1", "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": base_url}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = subprocess.Popen(
            [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning",
             "bench.web_app:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, timeout=30, proc=server)
            params = {"MessageSid": "SM" + "0" * 32, "AccountSid": "AC" + "0" * 32, "From": "+84912000001",
                      "To": "+15005550006", "Body": f"TC {CODE}", "NumMedia": "0"}
            signature = RequestValidator(TOKEN).compute_signature(f"{base_url}/sms/twilio", params)
            webhook = {"body": urlencode(params).encode(), "expect": f"HS {CODE}".encode(),
                       "headers": {"Content-Type": "application/x-www-form-urlencoded",
                                   "X-Twilio-Signature": signature}}
            hello = {"expect": b"hello"}
            hammer(port, "GET", "/hello", seconds=1.0, clients=args.clients, **hello)  # warm up
            hammer(port, "POST", "/sms/twilio", seconds=1.0, clients=args.clients, **webhook)
            hello_rates, webhook_rates = [], []
            for _ in range(args.rounds):
                hello_rates.append(hammer(port, "GET", "/hello", seconds=args.seconds, clients=args.clients,
                                          **hello))
                webhook_rates.append(hammer(port, "POST", "/sms/twilio", seconds=args.seconds,
                                            clients=args.clients, **webhook))
        finally:
            stop(server)

    hello_rate = sum(hello_rates) / len(hello_rates)
    webhook_rate = sum(webhook_rates) / len(webhook_rates)
    ratio = webhook_rate / hello_rate
    print(f"sms_webhook: gunicorn 2 workers on 127.0.0.1, {args.clients} clients, "
          f"{args.rounds} rounds x {args.seconds:g} s per route")
    print(f"  hello-world route          : {hello_rate:8.1f} req/s")
    print(f"  signed Twilio webhook (TC) : {webhook_rate:8.1f} req/s")
    verdict = "met" if ratio >= 0.5 else "NOT met"
    print(f"  ratio webhook / hello      : {ratio:.2f} (target >= 0.50: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
