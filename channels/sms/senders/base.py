"""One interface for every SMS provider: `send(to, text) -> provider_message_id`.

A template method in the manner of GOV.UK Notify's clients: `send()` wraps the provider's
`try_send()`, logs and times it, and turns every transport failure into `SendError`, which
says whether trying again can help. The job that called it decides what to do.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from datetime import datetime

import requests

import metrics
from lookup.privacy import mask_phone, scrub

log = logging.getLogger(__name__)


class SendError(Exception):
    """`unanswered`: the request may have reached the provider but no answer came back, so the
    text may have gone out (only a provider that can be asked, `find_sent`, can say)."""

    def __init__(self, message: str, *, retryable: bool, provider_code: str = "",
                 unanswered: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.provider_code = provider_code
        self.unanswered = unanswered


class CannotAsk(Exception):
    """The provider keeps no list we can ask (Kannel): a lost acknowledgement may mean a duplicate."""


class Sender(ABC):
    name = "abstract"
    # Whether find_sent can answer (the provider keeps a list of what it took).
    can_ask = False

    def send(self, to: str, text: str, *, reference: str | None = None) -> str:
        """Hand one text to the provider; its message id. `to` is E.164; `reference` is ours
        (the notification id), passed along where the provider echoes it in delivery reports."""
        started = time.monotonic()
        try:
            message_id = self.try_send(to, text, reference)
        except SendError as error:
            log.warning("%s refused a text to %s: %s (retryable=%s)", self.name, mask_phone(to),
                        scrub(str(error)), error.retryable)
            raise
        except (OSError, TimeoutError) as error:
            log.warning("%s unreachable sending to %s: %s", self.name, mask_phone(to), scrub(str(error)))
            raise SendError(f"{self.name} unreachable: {error}", retryable=True) from error
        finally:
            metrics.provider_send(self.name, time.monotonic() - started)
        log.info("%s accepted a text to %s as %s in %.0f ms", self.name, mask_phone(to), message_id,
                 (time.monotonic() - started) * 1000)
        return message_id

    @abstractmethod
    def try_send(self, to: str, text: str, reference: str | None) -> str:
        """Provider-specific sending; raise SendError for what the provider refused."""

    def find_sent(self, to: str, text: str, since: datetime) -> str | None:
        """The id of this very text if the provider already accepted it since `since`, else None.

        Used before re-sending a text whose worker died mid-send. Raises CannotAsk where the
        provider cannot say.
        """
        raise CannotAsk(self.name)


def http_session(url: str) -> requests.Session:
    """A session for one provider URL, with the proxy settings of the environment read once.

    requests would otherwise read them (and parse NO_PROXY) again for every text it sends.
    """
    session = requests.Session()
    session.proxies = requests.utils.get_environ_proxies(url)
    session.trust_env = False
    return session
