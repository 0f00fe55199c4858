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

import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from common import demo_database, load_arguments, rates_by_route, served_app  # also sets sys.path
from twilio.request_validator import RequestValidator

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
CODE = "000.00.04.H40-261102-0001"
TOKEN = secrets.token_hex(16)


def main() -> int:
    args = load_arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="tracuu-bench-") as tmp:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {"DATABASE_URL": demo_database(tmp), "SECRET_KEY": secrets.token_urlsafe(32), "VAR_DIR": tmp,
               "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": base_url}
        params = {"MessageSid": "SM" + "0" * 32, "AccountSid": "AC" + "0" * 32, "From": "+84912000001",
                  "To": "+15005550006", "Body": f"TC {CODE}", "NumMedia": "0"}
        signature = RequestValidator(TOKEN).compute_signature(f"{base_url}/sms/twilio", params)
        webhook = {"body": urlencode(params).encode(), "expect": f"HS {CODE}".encode(),
                   "headers": {"Content-Type": "application/x-www-form-urlencoded",
                               "X-Twilio-Signature": signature}}
        with served_app(port, env):
            rates = rates_by_route(port, {"hello": ("GET", "/hello", {"expect": b"hello"}),
                                          "webhook": ("POST", "/sms/twilio", webhook)}, args)

    ratio = rates["webhook"] / rates["hello"]
    print(f"sms_webhook: gunicorn 2 workers on 127.0.0.1, {args.clients} clients, "
          f"{args.rounds} rounds x {args.seconds:g} s per route")
    print(f"  hello-world route          : {rates['hello']:8.1f} req/s")
    print(f"  signed Twilio webhook (TC) : {rates['webhook']:8.1f} req/s")
    verdict = "met" if ratio >= 0.5 else "NOT met"
    print(f"  ratio webhook / hello      : {ratio:.2f} (target >= 0.50: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
