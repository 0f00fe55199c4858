"""Twilio inbound and status callbacks: signed requests are answered, anything else is 403."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import insert, select
from twilio.request_validator import RequestValidator

from channels.sms.senders import build_sender
from lookup.store.schema import dossiers, notifications
from tests.channels.sms.conftest import serving
from tests.conftest import NOW
from tests.support.fake_twilio import FakeTwilio

TOKEN = "test-auth-token"  # TestConfig's TWILIO_AUTH_TOKEN
READY_CODE = "000.00.04.H40-261102-0001"


def signed(url: str, params: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, params)}


def inbound(body: str, sender: str = "+84912000001") -> dict[str, str]:
    return {"MessageSid": "SM" + "a" * 32, "AccountSid": "AC" + "0" * 32, "From": sender,
            "To": "+15005550006", "Body": body, "NumMedia": "0"}


def twiml_messages(response) -> list[str]:
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


def test_signed_inbound_gets_twiml_with_the_status(sms_app):
    client = sms_app.test_client()
    params = inbound(f"TC {READY_CODE}")
    response = client.post("/sms/twilio", data=params,
                           headers=signed("http://localhost/sms/twilio", params))
    [text] = twiml_messages(response)
    assert text.startswith(f"HS {READY_CODE}: Da co ket qua, cho tra.")


@pytest.mark.parametrize("tamper", ["body", "from", "extra", "signature", "token", "url"])
def test_tampered_requests_are_refused(sms_app, tamper):
    client = sms_app.test_client()
    params = inbound(f"TC {READY_CODE}")
    headers = signed("http://localhost/sms/twilio", params)
    if tamper == "body":
        params["Body"] = "TC 000.00.04.H40-261105-0002"
    elif tamper == "from":
        params["From"] = "+84999999999"
    elif tamper == "extra":
        params["Foo"] = "bar"
    elif tamper == "signature":
        headers["X-Twilio-Signature"] = headers["X-Twilio-Signature"][:-2] + "AA"
    elif tamper == "token":
        headers = signed("http://localhost/sms/twilio", params, token="another-token")
    elif tamper == "url":
        headers = signed("http://localhost/sms/twilio?x=1", params)
    response = client.post("/sms/twilio", data=params, headers=headers)
    assert response.status_code == 403


def test_unsigned_request_is_refused(sms_app):
    response = sms_app.test_client().post("/sms/twilio", data=inbound("HD"))
    assert response.status_code == 403


def test_behind_a_proxy_the_public_url_is_what_is_signed(sms_app):
    sms_app.config["PUBLIC_BASE_URL"] = "https://tracuu.gov.example.vn"
    client = sms_app.test_client()
    params = inbound("HD")
    # Twilio called the public URL; Flask sees http://localhost behind the proxy.
    good = client.post("/sms/twilio", data=params,
                       headers=signed("https://tracuu.gov.example.vn/sms/twilio", params))
    assert twiml_messages(good)[0].startswith("Soan TC <ma ho so>")
    internal = client.post("/sms/twilio", data=params, headers=signed("http://localhost/sms/twilio", params))
    assert internal.status_code == 403


def test_unicode_and_emoji_in_the_body(sms_app):
    client = sms_app.test_client()
    params = inbound(f"Tra cứu {READY_CODE} 🙏🏻")
    [text] = twiml_messages(client.post("/sms/twilio", data=params,
                                        headers=signed("http://localhost/sms/twilio", params)))
    assert text.startswith(f"HS {READY_CODE}")


def test_twiml_escapes_what_it_carries(sms_app):
    client = sms_app.test_client()
    params = inbound("<Response><Message>pwned</Message></Response> & 0912345678")
    messages = twiml_messages(client.post("/sms/twilio", data=params,
                                          headers=signed("http://localhost/sms/twilio", params)))
    assert len(messages) == 1


def _notification(app, message_id: str, status: str = "sending") -> int:
    with app.extensions["tracuu.store"].begin() as conn:
        dossier_id = conn.execute(select(dossiers.c.id).where(dossiers.c.code == READY_CODE)).scalar()
        return conn.execute(insert(notifications).values(
            dossier_id=dossier_id, cause=f"test-{message_id}", kind="ready", to_phone="+84912000001",
            body="x", status=status, provider="twilio", provider_message_id=message_id,
            created_at=NOW, updated_at=NOW)).inserted_primary_key[0]


def _status(app, notification_id: int) -> tuple[str, str]:
    with app.extensions["tracuu.store"].connect() as conn:
        row = conn.execute(select(notifications.c.status, notifications.c.error)
                           .where(notifications.c.id == notification_id)).one()
    return row.status, row.error


def status_callback(client, sid: str, status: str, error_code: str = ""):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error_code:
        params["ErrorCode"] = error_code
    return client.post("/sms/twilio/status", data=params,
                       headers=signed("http://localhost/sms/twilio/status", params))


@pytest.mark.parametrize(
    ("reports", "final"),
    [
        (["sent", "delivered"], "delivered"),
        (["delivered", "sent"], "delivered"),  # late report: never backwards
        (["sending", "sent", "undelivered"], "undelivered"),
        (["queued", "sent"], "sent"),
        (["failed", "delivered"], "failed"),
        (["read"], "delivered"),
    ],
)
def test_status_callbacks_move_the_notification_forward_only(sms_app, reports, final):
    client = sms_app.test_client()
    sid = "SM" + "b" * 32
    notification_id = _notification(sms_app, sid)
    for report in reports:
        assert status_callback(client, sid, report).status_code == 204
    assert _status(sms_app, notification_id)[0] == final


def test_status_callback_keeps_the_error_code(sms_app):
    client = sms_app.test_client()
    notification_id = _notification(sms_app, "SM" + "c" * 32)
    status_callback(client, "SM" + "c" * 32, "undelivered", "30003")
    assert _status(sms_app, notification_id) == ("undelivered", "twilio 30003")


def test_status_callbacks_unsigned_or_incomplete(sms_app):
    client = sms_app.test_client()
    unsigned = client.post("/sms/twilio/status", data={"MessageSid": "SMx", "MessageStatus": "sent"})
    assert unsigned.status_code == 403
    assert status_callback(client, "", "sent").status_code == 400
    assert status_callback(client, "SM" + "d" * 32, "no-such-status").status_code == 204
    assert status_callback(client, "SM-unknown", "delivered").status_code == 204


def test_send_through_the_sdk_then_twilio_calls_back_signed(sms_app):
    """The whole loop: the real SDK sends to the fake Twilio, which then POSTs a signed status
    callback to our status URL on a real server."""
    with FakeTwilio() as twilio, serving(sms_app) as base_url:
        sms_app.config.update(PUBLIC_BASE_URL=base_url, TWILIO_API_URL=twilio.url, SMS_SENDER="twilio")
        sender = build_sender(sms_app.config)
        sid = sender.send("+84912000001", "Ho so da co ket qua.", reference="7")
        notification_id = _notification(sms_app, sid)
        assert twilio.report(sid, "sent") == 204
        assert twilio.report(sid, "delivered") == 204
        assert _status(sms_app, notification_id)[0] == "delivered"
        assert twilio.messages_to("+84912000001")[0].status_callback == f"{base_url}/sms/twilio/status"
