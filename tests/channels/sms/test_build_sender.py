"""`build_sender(config)` picks the provider named by SMS_SENDER and refuses half a configuration."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import config as settings
from channels.sms.senders import CannotAsk, ConsoleSender, build_sender
from channels.sms.senders.kannel import KannelSender
from channels.sms.senders.twilio import TwilioSender


def config(**overrides):
    return {**vars(settings.TestConfig()), **overrides}


def test_console_by_default():
    assert isinstance(build_sender(config()), ConsoleSender)
    assert isinstance(build_sender({}), ConsoleSender)


def test_twilio_and_kannel():
    assert isinstance(build_sender(config(SMS_SENDER="twilio")), TwilioSender)
    sender = build_sender(config(SMS_SENDER="kannel", KANNEL_PASSWORD="p"))
    assert isinstance(sender, KannelSender)
    assert sender.dlr_url == "http://localhost/sms/kannel/dlr"


@pytest.mark.parametrize("missing", ["KANNEL_PASSWORD", "KANNEL_SECRET", "KANNEL_SENDSMS_URL"])
def test_kannel_refuses_half_a_configuration(missing):
    with pytest.raises(ValueError, match="KANNEL"):
        build_sender(config(**{"SMS_SENDER": "kannel", "KANNEL_PASSWORD": "p", missing: ""}))


def test_unknown_sender():
    with pytest.raises(ValueError, match="SMS_SENDER"):
        build_sender(config(SMS_SENDER="carrier-pigeon"))


def test_kannel_cannot_be_asked_what_it_sent():
    sender = build_sender(config(SMS_SENDER="kannel", KANNEL_PASSWORD="p"))
    with pytest.raises(CannotAsk):
        sender.find_sent("+84912000001", "x", datetime.now(UTC))


def test_unreachable_kannel_is_retryable():
    from channels.sms.senders import SendError

    sender = build_sender(config(SMS_SENDER="kannel", KANNEL_PASSWORD="p"))  # TestConfig: port 9
    with pytest.raises(SendError) as caught:
        sender.send("+84912000001", "x")
    assert caught.value.retryable
