"""Alerts as ZNS template messages (Zalo Notification Service) to the applicant's phone number.

`POST {ZALO_ZNS_URL}/message/template`, header `access_token`, JSON `{"phone": "84912345678",
"template_id", "template_data", "tracking_id"}` → `{"error": 0, "data": {"msg_id", "sent_time"}}`.
`tracking_id` is our notification id: Zalo echoes it in the delivery event. Failures are
SendErrors (channels/zalo/api.py): retryable, or "this person cannot get it by Zalo".
"""

from __future__ import annotations

import logging
import time
from typing import Any

from channels.sms.senders.base import SendError, http_session
from channels.zalo.api import Caller
from lookup.privacy import mask_phone

log = logging.getLogger("tracuu.zalo.zns")

ZNS_PATH = "/message/template"


def zns_phone(e164: str) -> str:
    """The form ZNS documents, `84912345678`: E.164 without the plus."""
    return e164.lstrip("+")


class ZnsSender:
    name = "zalo"

    def __init__(self, zns_url: str, tokens, *, timeout: float = 10.0, development: bool = False) -> None:
        self.url = zns_url.rstrip("/") + ZNS_PATH
        self.development = development
        self.caller = Caller(tokens, http_session(self.url), timeout)

    def send(self, to: str, template_id: str, template_data: dict[str, Any], tracking_id: str) -> str:
        """Hand one template message to Zalo; its msg_id. Raises SendError."""
        body: dict[str, Any] = {"phone": zns_phone(to), "template_id": template_id,
                                "template_data": template_data, "tracking_id": tracking_id}
        if self.development:
            # Zalo's development mode: only the OA's and the app's administrators receive it.
            body["mode"] = "development"
        started = time.monotonic()
        try:
            answer = self.caller.post(self.url, body, "ZNS")
        except SendError as error:
            log.warning("zalo refused a ZNS to %s: %s (retryable=%s)", mask_phone(to), error, error.retryable)
            raise
        message_id = str(answer.data.get("msg_id") or f"zns-{tracking_id}")
        log.info("zalo accepted a ZNS to %s as %s in %.0f ms", mask_phone(to), message_id,
                 (time.monotonic() - started) * 1000)
        return message_id
