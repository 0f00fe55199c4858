"""Boundary fakes for the alert tests: slow providers (so kills land inside a send) and a
Kannel `sendsms` endpoint, which like the real one keeps no list anyone could ask."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.support import fake_twilio
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import free_port


class _QuietServer(ThreadingHTTPServer):
    """A client killed mid-request is what these tests do on purpose: no traceback for it."""

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | BrokenPipeError | TimeoutError):
            super().handle_error(request, client_address)


class SlowTwilio(FakeTwilio):
    """Twilio that takes `delay` seconds to answer after it has taken a text: a worker killed
    then leaves a text that went out but was never recorded (the case find_sent exists for).

    Its handler also sets TCP_NODELAY: http.server writes headers and body separately, and
    with Nagle on, a keep-alive client waits for a delayed ACK (40 ms a request) that the real
    api.twilio.com does not make it wait for.
    """

    delay = 0.0

    def start(self) -> SlowTwilio:
        handler = type("Handler", (fake_twilio._Handler,), {"fake": self, "disable_nagle_algorithm": True})
        self._server = _QuietServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-twilio", daemon=True)
        self._thread.start()
        return self

    def _create(self, form):
        answer = super()._create(form)
        if self.delay:
            time.sleep(self.delay)
        return answer


@dataclass(frozen=True)
class KannelText:
    to: str
    text: str
    at: datetime


class FakeKannel:
    """Kannel smsbox's /cgi-bin/sendsms: `0: Accepted for delivery`, no message id, no list.

    HTTP/1.1 with the connection kept open between requests, as the real smsbox answers
    (tests/channels/sms/test_kannel_e2e.py asks both the same way).
    """

    username = "tracuu"
    password = "kannel-test-password"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/cgi-bin/sendsms"
        self.texts: list[KannelText] = []
        self.failures: list[int] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeKannel:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002
                pass

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                status, body = fake._sendsms(parts.path, query)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = _QuietServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _sendsms(self, path: str, query: dict[str, str]) -> tuple[int, str]:
        if path != "/cgi-bin/sendsms":
            return 404, "Unknown request"
        if query.get("username") != self.username or query.get("password") != self.password:
            return 403, "Authorization failed for sendsms"
        with self._lock:
            if self.failures:
                return self.failures.pop(0), "Sending failed"
            self.texts.append(KannelText(query.get("to", ""), query.get("text", ""), datetime.now(UTC)))
        if self.delay:
            time.sleep(self.delay)
        return 202, "0: Accepted for delivery"

    def sent(self) -> list[KannelText]:
        with self._lock:
            return list(self.texts)
