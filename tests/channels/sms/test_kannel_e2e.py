"""Real Kannel end to end: bearerbox + smsbox + fakesmsc on free ports, our app on a real HTTP
server. A text typed into fakesmsc reaches the handler and the reply reaches fakesmsc; a send
through `sendsms` arrives at fakesmsc; its delivery report comes back and is recorded."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import insert, select, update

from channels.sms.senders import SendError, build_sender
from lookup.store.schema import dossiers, notifications, phones
from tests.channels.sms.conftest import serving
from tests.conftest import NOW, make_app
from tests.support.kannel import Kannel, mo_line, require_kannel
from tests.worker.fakes import FakeKannel

pytestmark = pytest.mark.kannel

SECRET = "kannel-test-secret"
READY_CODE = "000.00.04.H40-261102-0001"
OWNER = "84912000001"  # the demo applicant's phone as the SMSC writes it


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Kannel and the app, started once for the module; each test uses its own fakesmsc."""
    require_kannel()
    from lookup import demo

    workdir = tmp_path_factory.mktemp("kannel")
    app = make_app(f"sqlite:///{workdir / 'tracuu.db'}", KANNEL_SECRET=SECRET, HOTLINE_NUMBER="1900 0000")
    demo.load(app.extensions["tracuu.service"])
    with serving(app) as base_url:
        get_url = (f"{base_url}/sms/kannel?" + urlencode({"secret": SECRET})
                   + "&from=%p&to=%P&text=%b&coding=%c&charset=%C")
        kannel = Kannel(workdir, get_url).start()
        app.config.update(PUBLIC_BASE_URL=base_url, KANNEL_SENDSMS_URL=kannel.sendsms_url,
                          KANNEL_USERNAME=kannel.username, KANNEL_PASSWORD=kannel.password,
                          KANNEL_FROM=kannel.short_number, SMS_SENDER="kannel")
        try:
            yield app, kannel
        finally:
            kannel.stop()
    app.extensions["tracuu.store"].dispose()


def test_a_code_typed_on_the_phone_gets_its_status_back(stack):
    app, kannel = stack
    with kannel.phone([mo_line(OWNER, "8077", f"tc {READY_CODE}")]) as phone:
        [reply] = phone.wait_for(1)
    assert reply.receiver == OWNER
    assert reply.sender == "8077"
    assert reply.kind == "text"
    assert reply.text.startswith(f"HS {READY_CODE}: Da co ket qua, cho tra.")
    assert len(reply.text) <= 160


def test_vietnamese_typed_with_diacritics_arrives_as_ucs2_and_is_understood(stack):
    app, kannel = stack
    with kannel.phone([mo_line("84912000002", "8077", f"Tra cứu hồ sơ {READY_CODE} 🙏")]) as phone:
        [reply] = phone.wait_for(1)
    assert reply.text.startswith(f"HS {READY_CODE}: Da co ket qua")


def test_stop_keyword_is_stored_and_confirmed(stack):
    app, kannel = stack
    with kannel.phone([mo_line("84987000099", "8077", "Hủy")]) as phone:
        [reply] = phone.wait_for(1)
    assert reply.text == "Ban se khong nhan tin nhan thong bao nua. Soan BATDAU de bat lai."
    with app.extensions["tracuu.store"].connect() as conn:
        row = conn.execute(select(phones).where(phones.c.phone == "+84987000099")).one()
    assert row.opted_out is True


def test_unicode_reply_goes_back_as_ucs2(stack):
    app, kannel = stack
    app.config["SMS_DIACRITICS"] = True
    try:
        with kannel.phone([mo_line("84912000003", "8077", "VI")]) as phone:
            [reply] = phone.wait_for(1)
    finally:
        app.config["SMS_DIACRITICS"] = False
    assert reply.kind in ("ucs2", "ucs-2")
    assert reply.text == "Từ nay tin trả lời bằng tiếng Việt. Soạn EN để nhận tiếng Anh."


def test_with_diacritics_the_help_arrives_whole_in_two_ucs2_parts(stack):
    """Issue 12: the help text is no longer cut to 70 characters; Kannel splits it into two
    concatenated UCS-2 parts, which the phone joins."""
    app, kannel = stack
    app.config["SMS_DIACRITICS"] = True
    try:
        with kannel.phone([mo_line("84912000004", "8077", "HD")]) as phone:
            parts = phone.wait_for(2)
    finally:
        app.config["SMS_DIACRITICS"] = False
    assert [p.kind for p in parts] == ["udh", "udh"]
    # Concatenation header (3GPP TS 23.040): IE 00 or 08, then reference, total, sequence.
    assert {p.udh[-2] for p in parts} == {2} and sorted(p.udh[-1] for p in parts) == [1, 2]
    ordered = sorted(parts, key=lambda p: p.udh[-1])
    text = b"".join(p.octets for p in ordered).decode("utf-16-be")
    assert text.startswith("Soạn TC <mã hồ sơ> gửi 8077") and text.endswith("EN: English. Gọi 1900 0000")


def test_outbound_send_reaches_the_phone_and_its_delivery_report_is_recorded(stack):
    app, kannel = stack
    store = app.extensions["tracuu.store"]
    sender = build_sender(app.config)
    with store.begin() as conn:
        dossier_id = conn.execute(select(dossiers.c.id).where(dossiers.c.code == READY_CODE)).scalar()
        notification_id = conn.execute(insert(notifications).values(
            dossier_id=dossier_id, cause="test", kind="ready", to_phone="+84912000001",
            body="Ho so da co ket qua.", status="sending", created_at=NOW, updated_at=NOW,
        )).inserted_primary_key[0]
    with kannel.phone([]) as phone:
        # As the alerts worker does: send with our id as reference, then store Kannel's id. The
        # SMSC's first report may come back before that; the DLR endpoint waits for it.
        message_id = sender.send("+84912000001", "Ho so da co ket qua. Moi ong/ba den nhan.",
                                 reference=str(notification_id))
        with store.begin() as conn:
            conn.execute(update(notifications).where(notifications.c.id == notification_id).values(
                status="sent", provider="kannel", provider_message_id=message_id))
        [sms] = phone.wait_for(1)
        assert sms.receiver == "+84912000001"
        assert sms.text == "Ho so da co ket qua. Moi ong/ba den nhan."
        status = _wait_status(store, notification_id, "delivered")
    assert status == "delivered"


def test_sendsms_with_a_wrong_password_is_not_retryable(stack):
    app, kannel = stack
    config = dict(app.config, KANNEL_PASSWORD="wrong")
    with pytest.raises(SendError) as caught:
        build_sender(config).send("+84912000001", "x")
    assert not caught.value.retryable
    assert caught.value.provider_code == "403"


def test_the_fake_smsbox_answers_sendsms_as_the_real_one_does(stack):
    """Two requests on one connection, asked of the real smsbox and of the fake the worker's
    tests and benchmarks use: the same status, body and HTTP version, and the connection kept
    open (the fake used to close it after each answer, so every send paid for a new one)."""
    _, kannel = stack
    fake = FakeKannel().start()
    try:
        real = _two_sendsms(kannel.sendsms_port, kannel.username, "wrong")
        faked = _two_sendsms(fake.port, fake.username, "wrong")
    finally:
        fake.stop()
    assert real == faked == [(403, 11, False, b"Authorization failed for sendsms")] * 2


def _two_sendsms(port: int, username: str, password: str) -> list[tuple[int, int, bool, bytes]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    answers = []
    try:
        for _ in range(2):
            query = urlencode({"username": username, "password": password, "to": "0912000001", "text": "x"})
            connection.request("GET", f"/cgi-bin/sendsms?{query}")
            response = connection.getresponse()
            answers.append((response.status, response.version, response.will_close, response.read()))
    finally:
        connection.close()
    return answers


def _wait_status(store, notification_id: int, wanted: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        with store.connect() as conn:
            status = conn.execute(select(notifications.c.status)
                                  .where(notifications.c.id == notification_id)).scalar()
        if status == wanted:
            return status
        time.sleep(0.05)
    return status
