"""One alert channel as the sending job sees it: send a row, ask whether a row already went out.

`SmsCarrier` wraps the SMS sender (console, Twilio, Kannel) and sends the row's `body`;
`ZaloCarrier` sends the row's `template_data` as the ZNS template ZALO_TEMPLATES names for its
kind. Both raise SendError; `find_sent` raises CannotAsk where the provider keeps no list.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from channels.sms.senders import CannotAsk, SendError

if TYPE_CHECKING:
    from sqlalchemy import Row

    from channels.sms.senders import Sender
    from channels.zalo.zns import ZnsSender
    from worker.pacing import Pacer
    from worker.routing import Routing


class SmsCarrier:
    channel = "sms"

    def __init__(self, sender: Sender, pacer: Pacer) -> None:
        self.sender = sender
        self.pacer = pacer
        self.name = sender.name

    @property
    def can_ask(self) -> bool:
        return self.sender.can_ask

    def send(self, row: Row) -> str:
        return self.sender.send(row.to_phone, row.body, reference=str(row.id))

    def find_sent(self, row: Row) -> str | None:
        return self.sender.find_sent(row.to_phone, row.body, row.created_at)


class ZaloCarrier:
    channel = "zalo"
    name = "zalo"
    can_ask = False

    def __init__(self, zns: ZnsSender, routing: Routing, pacer: Pacer) -> None:
        self.zns = zns
        self.routing = routing
        self.pacer = pacer

    def send(self, row: Row) -> str:
        template_id = self.routing.template(row.kind, row.language)
        if template_id is None:
            # ZALO_TEMPLATES changed since the row was written.
            raise SendError(f"no zalo template for {row.kind} in {row.language} (ZALO_TEMPLATES)",
                            retryable=False, provider_code="template")
        data: dict[str, Any] = json.loads(row.template_data or "{}")
        return self.zns.send(row.to_phone, template_id, data, str(row.id))

    def find_sent(self, row: Row) -> str | None:
        # ZNS's status API takes Zalo's msg_id, which a lost answer never gave us.
        raise CannotAsk(self.name)
