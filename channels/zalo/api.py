"""Calling Zalo's HTTP APIs: the `access_token` header, the `{"error", "message", "data"}`
envelope (errors arrive with HTTP 200), and what each failure means for us.

Every failure becomes a SendError (channels/sms/senders/base.py) that says whether trying
again can help; for alerts, `retryable=False` means "this person cannot get it by Zalo": the
job gives the same alert to the next channel (SMS). A token failure is neither: the caller
refreshes the token and tries once more.

Error codes: Zalo's ZNS table ("Cách xử lý mã lỗi", zalo.cloud/zns/guidelines/handle-error-code)
and the Official Account API's appendix; see docs/zalo.md.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import requests

from channels.sms.senders.base import SendError

log = logging.getLogger("tracuu.zalo")

# Access token invalid or expired: ZNS -124, OA API -216 and -220. Refresh, then once more.
TOKEN_ERRORS = frozenset({-124, -216, -220})
# Worth another try later, by Zalo: unknown error (-100, "try again later"), the app's or the
# OA's request rate (-32), and ZNS refusing to send at night (-133, outside quiet hours).
TRANSIENT_ERRORS = frozenset({-100, -32, -133})


class TokenRejected(Exception):
    """Zalo said the access token we sent is not valid (any more)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"zalo {code}: {message}")
        self.code = code


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]


def post_json(session: requests.Session, url: str, token: str, body: dict[str, Any], *,
              timeout: float, what: str) -> Answer:
    """POST `body` with the token; the answer's `data`. Raises TokenRejected or SendError."""
    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = {"access_token": token, "Content-Type": "application/json; charset=utf-8"}
    try:
        response = session.post(url, data=payload, headers=headers, timeout=timeout)
    except requests.ConnectionError as error:
        # Refused or reset before an answer; a reset after the request went out may hide a send.
        raise SendError(f"{what}: zalo unreachable: {_short(error)}", retryable=True,
                        provider_code="unreachable", unanswered=not _refused(error)) from error
    except requests.Timeout as error:
        raise SendError(f"{what}: zalo did not answer in {timeout:.0f} s", retryable=True,
                        provider_code="timeout", unanswered=True) from error
    except requests.RequestException as error:
        raise SendError(f"{what}: zalo: {_short(error)}", retryable=True, provider_code="request",
                        unanswered=True) from error
    return read_answer(response, what)


def read_answer(response: requests.Response, what: str) -> Answer:
    status = response.status_code
    if status == 429 or status >= 500:
        raise SendError(f"{what}: zalo HTTP {status}", retryable=True, provider_code=str(status))
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "error" not in body:
        # Not Zalo's envelope (a proxy's page, a 4xx without a body): nothing says it was refused.
        raise SendError(f"{what}: zalo HTTP {status} without an answer we can read", retryable=True,
                        provider_code=str(status))
    try:
        code = int(body.get("error"))
    except (TypeError, ValueError):
        code = -100
    message = str(body.get("message") or "")[:200]
    if code == 0:
        data = body.get("data")
        return Answer(data if isinstance(data, dict) else {})
    if code in TOKEN_ERRORS:
        raise TokenRejected(code, message)
    raise SendError(f"{what}: zalo {code}: {message}", retryable=code in TRANSIENT_ERRORS,
                    provider_code=str(code))


def _refused(error: requests.ConnectionError) -> bool:
    text = str(error).lower()
    return "refused" in text or "name or service not known" in text or "failed to resolve" in text


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


class Caller:
    """POSTs with the OA's access token; a token Zalo rejects is refreshed and the call made once more."""

    def __init__(self, tokens, session: requests.Session, timeout: float = 10.0) -> None:
        self.tokens = tokens  # channels.zalo.tokens.ZaloTokens
        self.session = session
        self.timeout = timeout

    def post(self, url: str, body: dict[str, Any], what: str) -> Answer:
        token = self._token(None, what)
        try:
            return post_json(self.session, url, token, body, timeout=self.timeout, what=what)
        except TokenRejected as rejected:
            log.info("%s: Zalo rejected the access token (%s); refreshing", what, rejected.code)
        token = self._token(token, what)
        try:
            return post_json(self.session, url, token, body, timeout=self.timeout, what=what)
        except TokenRejected as again:
            raise SendError(f"{what}: {again} (after a refresh)", retryable=True,
                            provider_code=str(again.code)) from again

    def _token(self, rejected: str | None, what: str) -> str:
        from channels.zalo.tokens import TokenUnavailable

        try:
            return self.tokens.access_token(rejected=rejected)
        except TokenUnavailable as error:
            raise SendError(f"{what}: no Zalo access token: {error}", retryable=True,
                            provider_code="token") from error
