"""Outbound SMS through Twilio's Messages API, with the official `twilio` SDK.

The one place that imports `twilio` for sending. `api_url` replaces https://api.twilio.com so
the tests (and a regional proxy, if one is ever needed) can point the SDK elsewhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels.sms.senders.base import Sender, SendError, http_session

TWILIO_API = "https://api.twilio.com"
# Twilio error codes (https://www.twilio.com/docs/api/errors) whose meaning we act on.
TOO_MANY_REQUESTS = 20429
QUEUE_OVERFLOW = 30001
INVALID_TO = 21211
UNSUBSCRIBED = 21610
RETRYABLE_CODES = frozenset({TOO_MANY_REQUESTS, QUEUE_OVERFLOW})
# Statuses of a text that Twilio has taken (whatever happened to it since).
TAKEN = frozenset({"accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered",
                   "read", "receiving", "received"})


class RebasedHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, sending what it builds for api.twilio.com to `api_url`."""

    def __init__(self, api_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.api_url = api_url.rstrip("/")
        self.session = http_session(self.api_url)

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        return super().request(method, self.rebase(url), params=params, data=data, headers=headers,
                               auth=auth, timeout=timeout, allow_redirects=allow_redirects)

    def rebase(self, url: str) -> str:
        if self.api_url == TWILIO_API:
            return url
        parts = urlsplit(url)
        # api.twilio.com and its edge/region forms (api.sydney.au1.twilio.com) alike.
        if parts.hostname and parts.hostname.startswith("api.") and parts.hostname.endswith("twilio.com"):
            rest = url[len(f"{parts.scheme}://{parts.netloc}"):]
            return self.api_url + rest
        return url


class TwilioSender(Sender):
    name = "twilio"
    can_ask = True

    def __init__(self, account_sid: str, auth_token: str, from_: str, *, api_url: str = TWILIO_API,
                 status_callback: str | None = None, timeout: float = 10.0) -> None:
        if not (account_sid and auth_token and from_):
            raise ValueError("Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM")
        self.from_ = from_
        self.status_callback = status_callback
        self.client = Client(account_sid, auth_token,
                             http_client=RebasedHttpClient(api_url or TWILIO_API, timeout))

    def try_send(self, to: str, text: str, reference: str | None) -> str:
        kwargs = {"to": to, "body": text}
        if self.from_.startswith("MG"):
            kwargs["messaging_service_sid"] = self.from_
        else:
            kwargs["from_"] = self.from_
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as error:
            raise classify(error) from error
        except requests.RequestException as error:
            # No answer, or a broken one: Twilio may or may not have the text (find_sent can tell).
            raise SendError(f"twilio unreachable: {error}", retryable=True) from error
        except TwilioException as error:
            raise SendError(f"twilio: {error}", retryable=True) from error
        return message.sid

    def find_sent(self, to: str, text: str, since: datetime) -> str | None:
        """Ask Twilio's message list for this text to this number since `since`."""
        # Twilio's dates have whole seconds: a text taken in the same second as `since` is
        # dated before it.
        since = since.astimezone(UTC).replace(microsecond=0)
        try:
            # A text still queued has no date_sent yet: look at the newest few as well.
            candidates = list(self.client.messages.list(to=to, date_sent_after=since - timedelta(minutes=1),
                                                        limit=200))
            candidates += self.client.messages.list(to=to, limit=20)
        except TwilioRestException as error:
            raise classify(error) from error
        except (requests.RequestException, TwilioException) as error:
            raise SendError(f"twilio unreachable: {error}", retryable=True) from error
        for message in candidates:
            created = message.date_created
            if message.body == text and message.status in TAKEN and (created is None or created >= since):
                return message.sid
        return None


def classify(error: TwilioRestException) -> SendError:
    """Twilio's refusal as a SendError that says whether trying again can help."""
    code = error.code
    status = error.status or 0
    retryable = status == 429 or status >= 500 or code in RETRYABLE_CODES
    provider_code = str(code) if code else str(status)
    return SendError(f"twilio {status} ({provider_code}): {error.msg}", retryable=retryable,
                     provider_code=provider_code)
