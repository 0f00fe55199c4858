"""Outbound SMS: pick the provider named by `SMS_SENDER`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.sms.senders.base import CannotAsk, Sender, SendError
from channels.sms.senders.console import ConsoleSender

__all__ = ["CannotAsk", "ConsoleSender", "SendError", "Sender", "build_sender"]


def build_sender(config: Mapping[str, Any]) -> Sender:
    kind = config.get("SMS_SENDER", "console")
    if kind == "console":
        return ConsoleSender()
    raise ValueError(f"SMS_SENDER={kind!r}: expected console, twilio or kannel")
