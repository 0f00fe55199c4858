"""Messages from the Official Account to one Zalo user (chat replies), through the OA API.

`POST {ZALO_OA_API_URL}/v3.0/oa/message/cs`, header `access_token`, JSON
`{"recipient": {"user_id"}, "message": {"text"}}` → `{"error": 0, "data": {"message_id"}}`.
A "consultation" message: free within 48 h of the user's last message, which a reply always is.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.sms.senders.base import http_session
from channels.zalo.api import Caller

log = logging.getLogger("tracuu.zalo.oa")

CS_PATH = "/v3.0/oa/message/cs"
# Zalo's limit for one text message.
MAX_TEXT = 2000


class OaClient:
    def __init__(self, api_url: str, tokens, *, timeout: float = 10.0) -> None:
        self.url = api_url.rstrip("/") + CS_PATH
        self.caller = Caller(tokens, http_session(self.url), timeout)

    def send_text(self, user_id: str, text: str) -> str:
        """One text to `user_id`; Zalo's message id. Raises SendError."""
        return self._send(user_id, {"text": text[:MAX_TEXT]}, "OA text")

    def request_phone(self, user_id: str, title: str, subtitle: str, image_url: str = "") -> str:
        """Zalo's "share your information" card; the answer comes as a `user_submit_info` event."""
        element: dict[str, Any] = {"title": title[:100], "subtitle": subtitle[:500]}
        if image_url:
            element["image_url"] = image_url
        attachment = {"type": "template", "payload": {"template_type": "request_user_info",
                                                      "elements": [element]}}
        return self._send(user_id, {"attachment": attachment}, "OA request_user_info")

    def _send(self, user_id: str, message: dict[str, Any], what: str) -> str:
        answer = self.caller.post(self.url, {"recipient": {"user_id": user_id}, "message": message}, what)
        return str(answer.data.get("message_id") or "")
