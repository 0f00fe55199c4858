"""A local HTTP server that answers like Twilio's Messages API, for the SDK to talk to.

Only the boundary is fake: the real `twilio` SDK builds the requests, this server answers them
with Twilio's JSON shapes (message resources, list pages, error bodies). Thread-safe; every
accepted text is kept, so tests can count duplicates.

    with FakeTwilio() as twilio:           # or FakeTwilio().start() ... .stop()
        config.TWILIO_API_URL = twilio.url
        twilio.fail_next(2, twilio.TOO_MANY_REQUESTS)
        ...
        assert len(twilio.messages_to("+84912345678")) == 1
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from twilio.request_validator import RequestValidator

from tests.support.servers import free_port

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
API = "/2010-04-01"


@dataclass(frozen=True)
class Failure:
    status: int
    code: int
    message: str


@dataclass
class Message:
    sid: str
    to: str
    from_: str
    body: str
    status_callback: str
    date_created: datetime
    date_sent: datetime | None = None
    status: str = "queued"
    messaging_service_sid: str | None = None
    error_code: int | None = None
    callbacks: list[dict[str, str]] = field(default_factory=list)


class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1, with switches for its failures."""

    # Each is what Twilio answers for that case (status, error code, message).
    TOO_MANY_REQUESTS = Failure(429, 20429, "Too Many Requests")
    INVALID_NUMBER = Failure(400, 21211, "The 'To' number is not a valid phone number.")
    UNSUBSCRIBED = Failure(400, 21610, "Attempt to send to unsubscribed recipient")
    SERVER_ERROR = Failure(500, 20500, "Internal Server Error")
    UNAUTHORIZED = Failure(401, 20003, "Authenticate")

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN,
                 clock=lambda: datetime.now(UTC), host: str = "127.0.0.1", port: int | None = None) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.clock = clock
        self.host = host
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        self.messages: list[Message] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request received
        self._failures: list[Failure] = []
        self._lose: int = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeTwilio:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-twilio", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- switches ----------------------------------------------------------------------------
    def fail_next(self, count: int, failure: Failure) -> None:
        """The next `count` message creations are refused with `failure`."""
        with self._lock:
            self._failures.extend([failure] * count)

    def lose_next_response(self, count: int = 1) -> None:
        """Accept the next `count` texts but drop the connection before answering: a lost ack."""
        with self._lock:
            self._lose += count

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.requests.clear()
            self._failures.clear()
            self._lose = 0

    # -- what happened -----------------------------------------------------------------------
    def messages_to(self, to: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m.to == to]

    def sent(self) -> list[Message]:
        with self._lock:
            return list(self.messages)

    def report(self, sid: str, status: str, error_code: int | None = None, timeout: float = 10) -> int:
        """POST a signed status callback for message `sid`, as Twilio does; the HTTP status."""
        with self._lock:
            message = next(m for m in self.messages if m.sid == sid)
            message.status = status
            message.error_code = error_code
        params = {"AccountSid": self.account_sid, "MessageSid": sid, "SmsSid": sid,
                  "MessageStatus": status, "SmsStatus": status, "To": message.to,
                  "From": message.from_, "ApiVersion": "2010-04-01"}
        if error_code:
            params["ErrorCode"] = str(error_code)
        signature = RequestValidator(self.auth_token).compute_signature(message.status_callback, params)
        response = requests.post(message.status_callback, data=params, timeout=timeout,
                                 headers={"X-Twilio-Signature": signature})
        message.callbacks.append(params)
        return response.status_code

    # -- the API -----------------------------------------------------------------------------
    def _create(self, form: dict[str, str]) -> tuple[int, dict[str, Any], bool]:
        with self._lock:
            if self._failures:
                failure = self._failures.pop(0)
                return failure.status, self._error(failure), False
            to = form.get("To", "")
            if not to:
                return 400, self._error(Failure(400, 21604, "A 'To' phone number is required.")), False
            if not form.get("Body"):
                return 400, self._error(Failure(400, 21602, "Message body is required.")), False
            if not (form.get("From") or form.get("MessagingServiceSid")):
                return 400, self._error(Failure(400, 21603, "A 'From' phone number is required.")), False
            now = self.clock()
            message = Message(sid="SM" + secrets.token_hex(16), to=to, from_=form.get("From", ""),
                              body=form["Body"], status_callback=form.get("StatusCallback", ""),
                              date_created=now, messaging_service_sid=form.get("MessagingServiceSid"))
            self.messages.append(message)
            lose = self._lose > 0
            if lose:
                self._lose -= 1
            body = self._resource(message)
            # Twilio sends it a moment later: the list shows it sent, the create answer queued.
            message.status = "sent"
            message.date_sent = now
            return 201, body, lose

    def _list(self, query: dict[str, str]) -> dict[str, Any]:
        page_size = min(int(query.get("PageSize", 50)), 1000)
        page = int(query.get("Page", 0))
        with self._lock:
            found = [m for m in reversed(self.messages) if _matches(m, query)]
            chunk = found[page * page_size:(page + 1) * page_size]
            resources = [self._resource(m) for m in chunk]
        base = f"{API}/Accounts/{self.account_sid}/Messages.json"
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def uri(number: int) -> str:
            return f"{base}?{urlencode({**filters, 'PageSize': page_size, 'Page': number})}"

        more = (page + 1) * page_size < len(found)
        return {
            "messages": resources,
            "end": page * page_size + max(len(chunk) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) + f"&PageToken=PA{page + 1}" if more else None,
            "page": page,
            "page_size": page_size,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
            "start": page * page_size,
            "uri": uri(page),
        }

    def _resource(self, m: Message) -> dict[str, Any]:
        uri = f"{API}/Accounts/{self.account_sid}/Messages/{m.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": m.body,
            "date_created": format_datetime(m.date_created, usegmt=False),
            "date_sent": format_datetime(m.date_sent) if m.date_sent else None,
            "date_updated": format_datetime(m.date_sent or m.date_created),
            "direction": "outbound-api",
            "error_code": m.error_code,
            "error_message": None,
            "from": m.from_ or None,
            "messaging_service_sid": m.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": m.sid,
            "status": m.status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": m.to,
            "uri": f"{uri}.json",
        }

    @staticmethod
    def _error(failure: Failure) -> dict[str, Any]:
        return {"code": failure.code, "message": failure.message,
                "more_info": f"https://www.twilio.com/docs/errors/{failure.code}", "status": failure.status}


def _parse_date(text: str) -> datetime:
    if "T" in text:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)


def _matches(m: Message, query: dict[str, str]) -> bool:
    if "To" in query and m.to != query["To"]:
        return False
    if "From" in query and m.from_ != query["From"]:
        return False
    for key, test in (("DateSent>", lambda d, v: d >= v), ("DateSent<", lambda d, v: d <= v),
                      ("DateSent", lambda d, v: d.date() == v.date())):
        if key in query:
            if m.date_sent is None or not test(m.date_sent, _parse_date(query[key])):
                return False
    return True


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilio
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet in tests
        pass

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        expected = base64.b64encode(f"{self.fake.account_sid}:{self.fake.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Twilio-Request-Id", "RQ" + secrets.token_hex(16))
        self.end_headers()
        self.wfile.write(data)

    def _route(self) -> bool:
        path = urlsplit(self.path).path
        with self.fake._lock:
            self.fake.requests.append((self.command, path))
        if path != f"{API}/Accounts/{self.fake.account_sid}/Messages.json":
            self._send(404, FakeTwilio._error(Failure(404, 20404, "The requested resource was not found")))
            return False
        if not self._authorised():
            self._send(401, FakeTwilio._error(FakeTwilio.UNAUTHORIZED))
            return False
        return True

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        if not self._route():
            return
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        status, body, lose = self.fake._create(form)
        if lose:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self._send(status, body)

    def do_GET(self) -> None:  # noqa: N802
        if not self._route():
            return
        query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        self._send(200, self.fake._list(query))


def main() -> None:
    """A fake Twilio as a process of its own (the multi-host test runs it on its own host):
    `python -m tests.support.fake_twilio HOST PORT`; the Messages list API tells what it got."""
    import signal
    import sys

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    fake = FakeTwilio(host=sys.argv[1], port=int(sys.argv[2])).start()
    print(f"fake Twilio on {fake.url}", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    fake.stop()


if __name__ == "__main__":
    main()
