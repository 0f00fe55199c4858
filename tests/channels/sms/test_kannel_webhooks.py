"""Kannel's get-url and dlr-url, called the way smsbox calls them."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import insert, select

from channels.sms.senders.kannel import KannelSender, dlr_token
from lookup.store.schema import dossiers, notifications
from tests.conftest import NOW

SECRET = "test-kannel-secret"  # TestConfig's KANNEL_SECRET
READY_CODE = "000.00.04.H40-261102-0001"


def get(client, text: bytes | str, *, secret: str = SECRET, sender: str = "84912000001",
        coding: str = "0", charset: str = "UTF-8"):
    raw = text.encode() if isinstance(text, str) else text
    query = (f"secret={quote(secret)}&from={quote(sender)}&to=8077&text={quote(raw)}"
             f"&coding={coding}&charset={charset}")
    return client.get(f"/sms/kannel?{query}")


def test_code_gets_status_in_the_body_with_kannel_headers(sms_app):
    response = get(sms_app.test_client(), f"tc {READY_CODE}")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.headers["X-Kannel-Coding"] == "0"
    assert response.get_data(as_text=True).startswith(f"HS {READY_CODE}: Da co ket qua")


@pytest.mark.parametrize("secret", ["", "wrong", SECRET + "x", SECRET.upper()])
def test_wrong_or_missing_secret_is_403(sms_app, secret):
    assert get(sms_app.test_client(), "HD", secret=secret).status_code == 403


def test_no_secret_parameter_at_all_is_403(sms_app):
    assert sms_app.test_client().get("/sms/kannel?from=84912000001&text=HD").status_code == 403


def test_post_form_works_too(sms_app):
    response = sms_app.test_client().post("/sms/kannel", data={"secret": SECRET, "from": "84912000001",
                                                               "text": "HD"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("Soan TC <ma ho so>")


def test_ucs2_text_passed_through_raw(sms_app):
    response = get(sms_app.test_client(), f"Tra cứu {READY_CODE}".encode("utf-16-be"), coding="2",
                   charset="UTF-16BE")
    assert response.get_data(as_text=True).startswith(f"HS {READY_CODE}")


def test_ucs2_without_charset(sms_app):
    client = sms_app.test_client()
    raw = f"hồ sơ {READY_CODE}".encode("utf-16-be")
    response = client.get(f"/sms/kannel?secret={SECRET}&from=84912000001&text={quote(raw)}&coding=2")
    assert response.get_data(as_text=True).startswith(f"HS {READY_CODE}")


def test_latin1_charset(sms_app):
    response = get(sms_app.test_client(), "HÉLP".encode("latin-1"), charset="ISO-8859-1")
    assert response.status_code == 200


@pytest.mark.parametrize("raw", [b"\xff\xfe\xfd", b"TC \xc3\x28 000", b"\x00\x00", b"\xed\xa0\x80"])
def test_invalid_bytes_get_a_polite_hint(sms_app, raw):
    response = get(sms_app.test_client(), raw)
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("Khong hieu tin nhan")


def test_diacritics_on_gives_a_ucs2_reply(sms_app):
    sms_app.config["SMS_DIACRITICS"] = True
    response = get(sms_app.test_client(), "VI")
    assert response.headers["X-Kannel-Coding"] == "2"
    assert response.get_data(as_text=True) == "Từ nay tin trả lời bằng tiếng Việt. Soạn EN để nhận tiếng Anh."


def test_two_thousand_characters(sms_app):
    response = get(sms_app.test_client(), "a" * 2000)
    assert response.status_code == 200
    assert len(response.get_data(as_text=True)) <= 160


def _notification(app, message_id: str | None) -> int:
    with app.extensions["tracuu.store"].begin() as conn:
        dossier_id = conn.execute(select(dossiers.c.id).where(dossiers.c.code == READY_CODE)).scalar()
        return conn.execute(insert(notifications).values(
            dossier_id=dossier_id, cause=f"t-{message_id}", kind="ready", to_phone="+84912000001", body="x",
            status="sending", provider="kannel", provider_message_id=message_id, created_at=NOW,
            updated_at=NOW)).inserted_primary_key[0]


def _status(app, notification_id: int) -> tuple[str, str]:
    with app.extensions["tracuu.store"].connect() as conn:
        row = conn.execute(select(notifications.c.status, notifications.c.error)
                           .where(notifications.c.id == notification_id)).one()
    return row.status, row.error


def dlr(client, message_id: str, kind: str, *, ref: str = "12", sig: str | None = None, answer: str = "ACK/"):
    sig = dlr_token(SECRET, message_id, ref) if sig is None else sig
    return client.get("/sms/kannel/dlr", query_string={"id": message_id, "ref": ref, "sig": sig, "type": kind,
                                                       "answer": answer, "to": "+84912000001"})


@pytest.mark.parametrize(
    ("types", "final"),
    [
        (["8", "1"], "delivered"),
        (["1", "8"], "delivered"),  # late SMSC ack after the handset's: never backwards
        (["8", "2"], "undelivered"),
        (["16"], "failed"),
        (["4"], "sent"),
    ],
)
def test_dlr_moves_the_notification_forward_only(sms_app, types, final):
    client = sms_app.test_client()
    notification_id = _notification(sms_app, "kannel-abc")
    for kind in types:
        assert dlr(client, "kannel-abc", kind).status_code == 200
    assert _status(sms_app, notification_id)[0] == final


def test_dlr_failure_keeps_the_smsc_answer(sms_app):
    notification_id = _notification(sms_app, "kannel-def")
    answer = "NACK/0x0000000b/Invalid Destination Address"
    dlr(sms_app.test_client(), "kannel-def", "16", answer=answer)
    assert _status(sms_app, notification_id) == ("failed", f"kannel: {answer}")


def test_dlr_with_a_forged_signature_is_403_and_changes_nothing(sms_app):
    client = sms_app.test_client()
    notification_id = _notification(sms_app, "kannel-ghi")
    assert dlr(client, "kannel-ghi", "1", sig="0" * 32).status_code == 403
    assert dlr(client, "kannel-ghi", "1", sig="").status_code == 403
    other_ref = dlr_token(SECRET, "kannel-ghi", "12")
    assert dlr(client, "kannel-ghi", "1", ref="13", sig=other_ref).status_code == 403
    assert _status(sms_app, notification_id)[0] == "sending"


def test_dlr_with_an_unknown_type_is_400(sms_app):
    assert dlr(sms_app.test_client(), "kannel-x", "99").status_code == 400
    assert dlr(sms_app.test_client(), "kannel-x", "%d").status_code == 400


def test_sender_puts_a_verifiable_dlr_url():
    sender = KannelSender("http://127.0.0.1:9/cgi-bin/sendsms", "u", "p", "8077",
                          dlr_url="https://tracuu.example.vn/sms/kannel/dlr", secret=SECRET)
    url = sender.dlr_callback("kannel-1", "42")
    assert url.startswith("https://tracuu.example.vn/sms/kannel/dlr?id=kannel-1&ref=42&sig=")
    assert url.endswith("&type=%d&answer=%A&to=%p&at=%T")
    assert dlr_token(SECRET, "kannel-1", "42") in url


def test_a_report_that_beats_the_worker_waits_for_the_message_id(sms_app):
    """The SMSC reports before the worker has stored Kannel's id: the report waits for it."""
    import threading

    from sqlalchemy import update

    store = sms_app.extensions["tracuu.store"]
    notification_id = _notification(sms_app, None)

    def worker_stores_the_id():
        with store.begin() as conn:
            conn.execute(update(notifications).where(notifications.c.id == notification_id)
                         .values(provider_message_id="kannel-late", status="sent"))

    timer = threading.Timer(0.3, worker_stores_the_id)
    timer.start()
    response = dlr(sms_app.test_client(), "kannel-late", "1", ref=str(notification_id))
    timer.join()
    assert response.status_code == 200
    assert _status(sms_app, notification_id)[0] == "delivered"


def test_a_report_for_a_row_not_sending_does_not_wait(sms_app):
    import time

    notification_id = _notification(sms_app, "kannel-other")
    started = time.monotonic()
    assert dlr(sms_app.test_client(), "kannel-unknown", "1", ref=str(notification_id)).status_code == 200
    assert time.monotonic() - started < 2
    assert _status(sms_app, notification_id)[0] == "sending"
