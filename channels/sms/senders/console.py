"""The sender `make run` uses by default: texts go to the log, nowhere else."""

from __future__ import annotations

import logging
import uuid

from channels.sms.senders.base import Sender
from lookup.privacy import mask_phone, scrub

log = logging.getLogger("tracuu.sms.console")


class ConsoleSender(Sender):
    name = "console"

    def try_send(self, to: str, text: str, reference: str | None) -> str:
        message_id = f"console-{uuid.uuid4().hex[:16]}"
        # The number and the dossier code are masked like every other log line.
        log.info("SMS to %s (ref %s): %s", mask_phone(to), reference, scrub(text))
        return message_id
