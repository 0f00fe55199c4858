"""Twilio outbound through the real SDK to a local server that answers like Twilio."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.sms.senders import SendError, build_sender
from channels.sms.senders.twilio import TwilioSender
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.support.servers import free_port

TO = "+84912345678"
FROM = "+15005550006"


@pytest.fixture(scope="module")
def fake():
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def twilio(fake):
    fake.reset()
    return fake


@pytest.fixture
def sender(twilio) -> TwilioSender:
    return build_sender({"SMS_SENDER": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                         "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM": FROM,
                         "TWILIO_API_URL": twilio.url, "PUBLIC_BASE_URL": "https://tracuu.example.vn"})


def test_send_returns_twilio_sid_and_passes_everything(sender, twilio):
    sid = sender.send(TO, "Ho so 000.00.04.H40-230414-0002: Da co ket qua", reference="42")
    assert sid.startswith("SM") and len(sid) == 34
    [message] = twilio.messages_to(TO)
    assert message.sid == sid
    assert message.from_ == FROM
    assert message.body == "Ho so 000.00.04.H40-230414-0002: Da co ket qua"
    assert message.status_callback == "https://tracuu.example.vn/sms/twilio/status"


def test_unicode_body_arrives_intact(sender, twilio):
    sender.send(TO, "Hồ sơ đã có kết quả 🎉")
    assert twilio.messages_to(TO)[0].body == "Hồ sơ đã có kết quả 🎉"


@pytest.mark.parametrize(
    ("failure", "retryable", "code"),
    [
        (FakeTwilio.TOO_MANY_REQUESTS, True, "20429"),
        (FakeTwilio.SERVER_ERROR, True, "20500"),
        (FakeTwilio.INVALID_NUMBER, False, "21211"),
        (FakeTwilio.UNSUBSCRIBED, False, "21610"),
        (FakeTwilio.UNAUTHORIZED, False, "20003"),
    ],
    ids=["429-20429", "500", "21211-invalid-number", "21610-unsubscribed", "401-auth"],
)
def test_each_twilio_error_says_whether_a_retry_can_help(sender, twilio, failure, retryable, code):
    twilio.fail_next(1, failure)
    with pytest.raises(SendError) as caught:
        sender.send(TO, "hello")
    assert caught.value.retryable is retryable
    assert caught.value.provider_code == code
    assert twilio.messages_to(TO) == []
    # The switch was for one request only: the next one goes through.
    assert sender.send(TO, "hello").startswith("SM")
    assert len(twilio.messages_to(TO)) == 1


def test_429_without_twilio_code_is_retryable(sender, twilio):
    from tests.support.fake_twilio import Failure

    twilio.fail_next(1, Failure(429, 0, "Too Many Requests"))
    with pytest.raises(SendError) as caught:
        sender.send(TO, "hello")
    assert caught.value.retryable


def test_other_4xx_is_not_retryable(sender, twilio):
    from tests.support.fake_twilio import Failure

    twilio.fail_next(1, Failure(400, 21408, "Permission to send an SMS has not been enabled for the region"))
    with pytest.raises(SendError) as caught:
        sender.send(TO, "hello")
    assert not caught.value.retryable
    assert caught.value.provider_code == "21408"


def test_nothing_listening_is_retryable():
    sender = TwilioSender(ACCOUNT_SID, AUTH_TOKEN, FROM, api_url=f"http://127.0.0.1:{free_port()}",
                          timeout=2)
    with pytest.raises(SendError) as caught:
        sender.send(TO, "hello")
    assert caught.value.retryable


def test_lost_acknowledgement_is_retryable_and_find_sent_finds_the_text(sender, twilio):
    since = datetime.now(UTC) - timedelta(seconds=5)
    twilio.lose_next_response()
    with pytest.raises(SendError) as caught:
        sender.send(TO, "Ho so da co ket qua")
    assert caught.value.retryable
    [message] = twilio.messages_to(TO)
    assert sender.find_sent(TO, "Ho so da co ket qua", since) == message.sid
    assert sender.find_sent(TO, "another text", since) is None
    assert sender.find_sent("+84987654321", "Ho so da co ket qua", since) is None
    assert sender.find_sent(TO, "Ho so da co ket qua", datetime.now(UTC) + timedelta(hours=1)) is None
    assert ("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json") in twilio.requests


def test_find_sent_finds_a_text_taken_in_the_same_second(sender, twilio):
    # Twilio dates a text in whole seconds; the claim that preceded it has microseconds.
    while datetime.now(UTC).microsecond > 500_000:
        pass
    since = datetime.now(UTC)
    sid = sender.send(TO, "the same second")
    assert twilio.messages_to(TO)[0].date_created.replace(microsecond=0) == since.replace(microsecond=0)
    assert sender.find_sent(TO, "the same second", since) == sid


def test_find_sent_follows_pages(sender, twilio):
    since = datetime.now(UTC) - timedelta(seconds=5)
    first = sender.send(TO, "the first")
    for n in range(60):
        sender.send(TO, f"filler {n}")
    assert sender.find_sent(TO, "the first", since) == first


def test_messaging_service_sid_as_sender(twilio):
    sender = TwilioSender(ACCOUNT_SID, AUTH_TOKEN, "MG" + "1" * 32, api_url=twilio.url)
    sender.send(TO, "hello")
    assert twilio.messages_to(TO)[0].messaging_service_sid == "MG" + "1" * 32


def test_wrong_credentials_are_not_retryable(twilio):
    sender = TwilioSender(ACCOUNT_SID, "wrong-token", FROM, api_url=twilio.url)
    with pytest.raises(SendError) as caught:
        sender.send(TO, "hello")
    assert not caught.value.retryable


def test_missing_settings_are_refused_at_build_time():
    with pytest.raises(ValueError, match="TWILIO"):
        build_sender({"SMS_SENDER": "twilio", "TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": "",
                      "TWILIO_FROM": ""})
