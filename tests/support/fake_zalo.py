"""A local HTTP server that answers like Zalo's three APIs, and sends signed webhook events.

- ZNS: `POST /message/template` (header `access_token`; JSON phone, template_id, template_data,
  tracking_id) → `{"error": 0, "message": "Success", "data": {"msg_id", "sent_time"}}`; ZNS's
  error codes (-124 token, -118 no Zalo account, …) arrive with HTTP 200, as Zalo sends them.
- OAuth: `POST /v4/oa/access_token` (header `secret_key`; form app_id, grant_type=refresh_token,
  refresh_token) → `{"access_token", "refresh_token", "expires_in": "90000"}`; every refresh
  token works once, as Zalo's do.
- OA API: `POST /v3.0/oa/message/cs` (header `access_token`; JSON recipient.user_id,
  message.text) → `{"error": 0, "data": {"message_id"}}`; -216 for a bad token.
- `event(url, …)` POSTs a webhook event signed `X-ZEvent-Signature: mac=sha256(app_id + body +
  timestamp + OA secret)`.

Only this boundary is fake: our clients build real requests and this answers them. Thread-safe;
every accepted message is kept, so tests can count what reached whom.

    with FakeZalo() as zalo:
        config.ZALO_ZNS_URL = config.ZALO_OAUTH_URL = config.ZALO_OA_API_URL = zalo.url
        zalo.refuse("84912000001", FakeZalo.NO_ZALO_ACCOUNT)
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.support.servers import free_port

APP_ID = "3608465248940903967"
APP_SECRET = "test-zalo-app-secret"
OA_ID = "388613280878808645"
OA_SECRET = "test-zalo-oa-secret"
FIRST_REFRESH_TOKEN = "first-refresh-token"


@dataclass(frozen=True)
class Failure:
    code: int
    message: str
    http_status: int = 200


@dataclass
class Zns:
    msg_id: str
    phone: str
    template_id: str
    template_data: dict[str, Any]
    tracking_id: str
    at: datetime
    mode: str = ""


@dataclass
class OaMessage:
    message_id: str
    user_id: str
    message: dict[str, Any]
    at: datetime

    @property
    def text(self) -> str:
        return self.message.get("text", "")


@dataclass
class _Tokens:
    refresh_token: str = FIRST_REFRESH_TOKEN
    access_token: str = ""
    refreshes: int = 0
    attempts: int = 0
    used_refresh_tokens: set[str] = field(default_factory=set)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | BrokenPipeError | TimeoutError):
            super().handle_error(request, client_address)


class FakeZalo:
    # What ZNS answers (codes from Zalo's ZNS error table).
    TOKEN_INVALID = Failure(-124, "Access token invalid")
    NO_ZALO_ACCOUNT = Failure(-118, "Zalo account not existed")
    CANNOT_RECEIVE = Failure(-119, "Account can not receive message")
    USER_INACTIVE = Failure(-114, "User is inactive, or reject the message, or using an outdated "
                                  "Zalo version, or other internal errors")
    BLOCKED_OA = Failure(-141, "User refused to receive ZNS from this OA")
    PHONE_INVALID = Failure(-108, "Phone number invalid")
    TEMPLATE_NOT_APPROVED = Failure(-131, "ZNS template not approved")
    TEMPLATE_DISABLED = Failure(-146, "Template disabled due to low sending quality")
    NO_PERMISSION = Failure(-117, "OA or App does not have permission to access this template")
    DAILY_LIMIT = Failure(-144, "OA exceeded daily ZNS sending limit")
    MISSING_PARAMETER = Failure(-1122, "Missing template parameter")
    UNKNOWN_ERROR = Failure(-100, "Unknown error")
    SERVER_ERROR = Failure(-100, "Internal Server Error", http_status=502)

    def __init__(self, *, delay: float = 0.0, refresh_delay: float = 0.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.delay = delay  # seconds a ZNS send takes after Zalo took it
        self.refresh_delay = refresh_delay  # seconds a token refresh takes
        self.zns: list[Zns] = []
        self.oa_messages: list[OaMessage] = []
        self.requests: list[tuple[str, str]] = []
        self.templates: set[str] | None = None  # None: any template id is approved
        self._tokens = _Tokens()
        self._refusals: dict[str, Failure] = {}
        self._failures: list[Failure] = []
        self._lose = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeZalo:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _QuietServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self._server.serve_forever, name="fake-zalo", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeZalo:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- switches ----------------------------------------------------------------------------
    def refuse(self, phone: str, failure: Failure) -> None:
        """Every ZNS to `phone` (84… form) is refused with `failure`."""
        with self._lock:
            self._refusals[phone.lstrip("+")] = failure

    def fail_next(self, count: int, failure: Failure) -> None:
        """The next `count` ZNS sends are refused with `failure`."""
        with self._lock:
            self._failures.extend([failure] * count)

    def lose_next_response(self, count: int = 1) -> None:
        """Take the next `count` ZNS sends but drop the connection before answering."""
        with self._lock:
            self._lose += count

    def expire_access_token(self) -> None:
        """The access token stops working, as it does after 25 hours."""
        with self._lock:
            self._tokens.access_token = ""

    def set_refresh_token(self, token: str) -> None:
        """The grant an OA admin just gave (what ZALO_REFRESH_TOKEN is set to)."""
        with self._lock:
            self._tokens.refresh_token = token

    # -- what happened -----------------------------------------------------------------------
    @property
    def refreshes(self) -> int:
        """Refreshes that succeeded."""
        with self._lock:
            return self._tokens.refreshes

    @property
    def refresh_attempts(self) -> int:
        """Every call to the token endpoint, refused ones too (a used refresh token, say)."""
        with self._lock:
            return self._tokens.attempts

    @property
    def access_token(self) -> str:
        with self._lock:
            return self._tokens.access_token

    @property
    def refresh_token(self) -> str:
        with self._lock:
            return self._tokens.refresh_token

    def sent(self) -> list[Zns]:
        with self._lock:
            return list(self.zns)

    def sent_to(self, phone: str) -> list[Zns]:
        with self._lock:
            return [z for z in self.zns if z.phone == phone.lstrip("+")]

    def texts_to(self, user_id: str) -> list[str]:
        with self._lock:
            return [m.text for m in self.oa_messages if m.user_id == user_id]

    # -- webhooks ----------------------------------------------------------------------------
    @staticmethod
    def signature(raw: bytes, timestamp: str, app_id: str = APP_ID, oa_secret: str = OA_SECRET) -> str:
        digest = hashlib.sha256(app_id.encode() + raw + timestamp.encode() + oa_secret.encode()).hexdigest()
        return f"mac={digest}"

    @staticmethod
    def event_body(event_name: str, *, sender: str, recipient: str, message: dict[str, Any] | None = None,
                   timestamp: str | None = None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"app_id": APP_ID, "user_id_by_app": "552177279717587730",
                                "event_name": event_name, "sender": {"id": sender},
                                "recipient": {"id": recipient},
                                "timestamp": timestamp or str(int(time.time() * 1000))}
        if message is not None:
            body["message"] = message
        body.update(extra)
        return body

    def event(self, url: str, body: dict[str, Any], *, signed: bool = True, zns: bool = False,
              timeout: float = 10) -> requests.Response:
        """POST a webhook event as Zalo does: raw JSON, signed over the exact bytes sent."""
        raw = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["X-ZEvent-Signature"] = self.signature(raw, str(body.get("timestamp", "")))
        if zns:
            headers["X-ZEvent-Server"] = "ZNS"
        return requests.post(url, data=raw, headers=headers, timeout=timeout)

    # -- the APIs ----------------------------------------------------------------------------
    def _valid_token(self, token: str) -> bool:
        return bool(token) and token == self._tokens.access_token

    def _send_zns(self, token: str, body: Any) -> tuple[int, dict[str, Any], bool]:
        with self._lock:
            if not self._valid_token(token):
                return 200, _error(self.TOKEN_INVALID), False
            if not isinstance(body, dict):
                return 200, _error(Failure(-122, "Body request is not valid JSON")), False
            phone = str(body.get("phone", ""))
            template_id = str(body.get("template_id", ""))
            data = body.get("template_data")
            if not (phone.isdigit() and phone.startswith("84") and len(phone) == 11):
                return 200, _error(self.PHONE_INVALID), False
            if not template_id or (self.templates is not None and template_id not in self.templates):
                return 200, _error(Failure(-109, "Template ID invalid")), False
            if not isinstance(data, dict) or not data:
                return 200, _error(Failure(-111, "Template data empty")), False
            if self._failures:
                failure = self._failures.pop(0)
                return failure.http_status, _error(failure), False
            if phone in self._refusals:
                return 200, _error(self._refusals[phone]), False
            now = datetime.now(UTC)
            zns = Zns(msg_id=secrets.token_hex(10), phone=phone, template_id=template_id, template_data=data,
                      tracking_id=str(body.get("tracking_id", "")), at=now, mode=str(body.get("mode", "")))
            self.zns.append(zns)
            lose = self._lose > 0
            if lose:
                self._lose -= 1
        if self.delay:
            time.sleep(self.delay)
        return 200, {"error": 0, "message": "Success",
                     "data": {"msg_id": zns.msg_id, "sent_time": str(int(now.timestamp() * 1000)),
                              "quota": {"dailyQuota": "500", "remainingQuota": "499"}}}, lose

    def _refresh(self, secret_key: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self._tokens.attempts += 1
        if self.refresh_delay:
            time.sleep(self.refresh_delay)
        with self._lock:
            if secret_key != APP_SECRET or form.get("app_id") != APP_ID:
                return 200, {"error": -14001, "error_name": "Invalid secret key",
                             "error_description": "app_id or secret_key is invalid"}
            given = form.get("refresh_token", "")
            if form.get("grant_type") != "refresh_token" or given != self._tokens.refresh_token:
                return 200, {"error": -14014, "error_name": "Invalid refresh token",
                             "error_description": "Refresh token is invalid or has been used"}
            tokens = self._tokens
            tokens.used_refresh_tokens.add(given)
            tokens.refreshes += 1
            tokens.access_token = f"access-{tokens.refreshes}-{secrets.token_hex(8)}"
            tokens.refresh_token = f"refresh-{tokens.refreshes}-{secrets.token_hex(8)}"
            return 200, {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
                         "expires_in": "90000"}

    def _send_cs(self, token: str, body: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if not self._valid_token(token):
                return 200, {"error": -216, "message": "Access token is invalid"}
            if not isinstance(body, dict):
                return 200, {"error": -201, "message": "body is invalid!"}
            user_id = str((body.get("recipient") or {}).get("user_id", ""))
            message = body.get("message")
            if not user_id or not isinstance(message, dict) or not message:
                return 200, {"error": -201, "message": "recipient or message is invalid!"}
            if len(message.get("text", "")) > 2000:
                return 200, {"error": -210, "message": "Parameter exceeds allowable limit"}
            sent = OaMessage(secrets.token_hex(10), user_id, message, datetime.now(UTC))
            self.oa_messages.append(sent)
            return 200, {"error": 0, "message": "Success",
                         "data": {"message_id": sent.message_id, "user_id": user_id}}


def _error(failure: Failure) -> dict[str, Any]:
    return {"error": failure.code, "message": failure.message}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeZalo
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet in tests
        pass

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path = urlsplit(self.path).path
        with self.fake._lock:
            self.fake.requests.append(("POST", path))
        if path == "/v4/oa/access_token":
            form = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
            self._reply(*self.fake._refresh(self.headers.get("secret_key", ""), form))
            return
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        token = self.headers.get("access_token", "")
        if path == "/message/template":
            status, answer, lose = self.fake._send_zns(token, body)
            if lose:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._reply(status, answer)
        elif path == "/v3.0/oa/message/cs":
            self._reply(*self.fake._send_cs(token, body))
        else:
            self._reply(404, {"error": -404, "message": "not found"})
