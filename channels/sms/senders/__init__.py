"""Outbound SMS: pick the provider named by `SMS_SENDER`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.sms.senders.base import CannotAsk, Sender, SendError
from channels.sms.senders.console import ConsoleSender

__all__ = ["CannotAsk", "ConsoleSender", "SendError", "Sender", "build_sender"]

# Where the providers call us back; PUBLIC_BASE_URL is what the world sees behind a proxy.
TWILIO_STATUS_PATH = "/sms/twilio/status"
KANNEL_DLR_PATH = "/sms/kannel/dlr"


def build_sender(config: Mapping[str, Any]) -> Sender:
    kind = config.get("SMS_SENDER", "console")
    base_url = str(config.get("PUBLIC_BASE_URL", "")).rstrip("/")
    if kind == "console":
        return ConsoleSender()
    if kind == "twilio":
        from channels.sms.senders.twilio import TWILIO_API, TwilioSender

        return TwilioSender(
            config.get("TWILIO_ACCOUNT_SID", ""), config.get("TWILIO_AUTH_TOKEN", ""),
            config.get("TWILIO_FROM", ""), api_url=config.get("TWILIO_API_URL") or TWILIO_API,
            status_callback=base_url + TWILIO_STATUS_PATH if base_url else None,
        )
    if kind == "kannel":
        from channels.sms.senders.kannel import KannelSender

        return KannelSender(
            config.get("KANNEL_SENDSMS_URL", ""), config.get("KANNEL_USERNAME", ""),
            config.get("KANNEL_PASSWORD", ""), config.get("KANNEL_FROM", ""),
            dlr_url=base_url + KANNEL_DLR_PATH, secret=config.get("KANNEL_SECRET", ""),
            smsc=config.get("KANNEL_SMSC", ""),
        )
    raise ValueError(f"SMS_SENDER={kind!r}: expected console, twilio or kannel")
