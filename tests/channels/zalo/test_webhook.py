"""`POST /zalo/webhook`: Zalo's signature checked before anything is read (forged or unsigned →
403), texts and shared phones put on the chat queue once each without calling Zalo, delivery
events moving alerts forward and never back."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue

from lookup import delivery
from lookup.store import notifications as rows
from tests.conftest import AGENCY, NOW, make_app
from tests.lookup.core import put
from tests.support import fake_zalo
from tests.support.fake_zalo import FakeZalo
from worker import queues

USER = "2468458835296117922"


@pytest.fixture
def redis_url(redis_server) -> str:
    Redis.from_url(redis_server.url).flushall()
    return redis_server.url


@pytest.fixture
def hook_app(tmp_path, redis_url):
    app = make_app(f"sqlite:///{tmp_path / 'hook.db'}", redis_url, ZALO_APP_ID=fake_zalo.APP_ID,
                   ZALO_OA_SECRET=fake_zalo.OA_SECRET)
    yield app
    app.extensions["tracuu.store"].dispose()


def signed(body: dict, **changes) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return raw, {"X-ZEvent-Signature": FakeZalo.signature(raw, body["timestamp"], **changes),
                 "Content-Type": "application/json"}


def text_event(text: str = "TC 000.00.04.H40-261102-0001", msg_id: str = "96d3cdf3af150460909") -> dict:
    return FakeZalo.event_body("user_send_text", sender=USER, recipient=fake_zalo.OA_ID,
                               message={"text": text, "msg_id": msg_id}, timestamp="1700000000123")


def chat_jobs(redis_url: str) -> list:
    return Queue(queues.CHAT, connection=Redis.from_url(redis_url), serializer=queues.SERIALIZER).get_jobs()


def _tampered(raw: bytes, headers: dict) -> tuple[bytes, dict]:
    return raw.replace(b"261102-0001", b"261102-0002"), headers


def _digest(raw: bytes) -> str:
    secret = fake_zalo.OA_SECRET.encode()
    return hashlib.sha256(fake_zalo.APP_ID.encode() + raw + b"1700000000123" + secret).hexdigest()


FORGERIES = {
    "unsigned": lambda raw, h: (raw, {"Content-Type": "application/json"}),
    "empty signature": lambda raw, h: (raw, {**h, "X-ZEvent-Signature": ""}),
    "mac= alone": lambda raw, h: (raw, {**h, "X-ZEvent-Signature": "mac="}),
    "body changed after signing": _tampered,
    "signed with another OA secret": lambda raw, h: (raw, {**h, "X-ZEvent-Signature": FakeZalo.signature(
        raw, "1700000000123", oa_secret="guessed")}),
    "signed for another app": lambda raw, h: (raw, {**h, "X-ZEvent-Signature": FakeZalo.signature(
        raw, "1700000000123", app_id="1234")}),
    "HMAC instead of Zalo's digest": lambda raw, h: (raw, {**h, "X-ZEvent-Signature": "mac=" + __import__(
        "hmac").new(fake_zalo.OA_SECRET.encode(), raw, "sha256").hexdigest()}),
    "another timestamp": lambda raw, h: (raw.replace(b"1700000000123", b"1700000000999"), h),
    "no timestamp": lambda raw, h: (raw.replace(b'"timestamp"', b'"time"'), h),
    "garbage": lambda raw, h: (b"\xff\xfe not json", h),
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_forged_and_unsigned_events_get_403_and_do_nothing(hook_app, redis_url, forge):
    raw, headers = forge(*signed(text_event()))
    response = hook_app.test_client().post("/zalo/webhook", data=raw, headers=headers)
    assert response.status_code == 403
    assert chat_jobs(redis_url) == []


def test_without_the_oa_secret_nothing_is_accepted(tmp_path, redis_url):
    app = make_app(f"sqlite:///{tmp_path / 'n.db'}", redis_url, ZALO_APP_ID=fake_zalo.APP_ID,
                   ZALO_OA_SECRET="")
    raw, headers = signed(text_event())
    assert app.test_client().post("/zalo/webhook", data=raw, headers=headers).status_code == 403


def test_the_signature_without_its_mac_prefix_and_in_capitals_is_zalos_too(hook_app, redis_url):
    raw, headers = signed(text_event())
    headers["X-ZEvent-Signature"] = _digest(raw).upper()
    assert hook_app.test_client().post("/zalo/webhook", data=raw, headers=headers).status_code == 200


def test_a_text_is_queued_once_for_a_worker_and_zalo_is_not_called(hook_app, redis_url):
    client = hook_app.test_client()
    raw, headers = signed(text_event("Tra cứu 000.00.04.H40-261102-0001"))
    assert client.post("/zalo/webhook", data=raw, headers=headers).status_code == 200
    assert client.post("/zalo/webhook", data=raw, headers=headers).status_code == 200  # Zalo's retry
    [job] = chat_jobs(redis_url)
    assert job.func_name == "worker.jobs.answer_zalo_text"
    assert job.args == [USER, "Tra cứu 000.00.04.H40-261102-0001"] or job.args == (
        USER, "Tra cứu 000.00.04.H40-261102-0001")
    # No OA API URL is reachable from this app (TestConfig): the answer is the worker's to send.
    assert hook_app.config["ZALO_OA_API_URL"] == "http://127.0.0.1:9"


def test_a_shared_phone_is_queued(hook_app, redis_url):
    body = FakeZalo.event_body("user_submit_info", sender=USER, recipient=fake_zalo.OA_ID,
                               timestamp="1700000000123",
                               info={"name": "Nguyễn Văn An", "phone": "84912000001"})
    raw, headers = signed(body)
    assert hook_app.test_client().post("/zalo/webhook", data=raw, headers=headers).status_code == 200
    [job] = chat_jobs(redis_url)
    assert job.func_name == "worker.jobs.answer_zalo_share" and list(job.args) == [USER, "84912000001"]


def _event(**fields) -> bytes:
    return json.dumps({"timestamp": "1700000000123", **fields}).encode()


@pytest.mark.parametrize(("body", "status"), [
    (b'{"timestamp": "1700000000123", "event_name": ', 400),
    (_event(), 400),
    (_event(event_name=5), 400),
    (_event(event_name="user_send_text", sender={"id": "x; drop"}, message={"text": "hi"}), 400),
    (_event(event_name="user_send_text", sender={"id": USER}, message={"text": 42}), 400),
    (_event(event_name="user_submit_info", info={"phone": "84912000001"}), 400),
    (_event(event_name="follow", follower={"id": USER}), 200),
    (_event(event_name="user_send_sticker", sender={"id": USER}), 200),
])
def test_signed_but_unusable_events_get_a_clear_answer(hook_app, redis_url, body, status):
    headers = {"X-ZEvent-Signature": "mac=" + _digest(body)}
    response = hook_app.test_client().post("/zalo/webhook", data=body, headers=headers)
    assert response.status_code == status
    assert chat_jobs(redis_url) == []


def test_redis_down_answers_503_so_that_zalo_sends_it_again(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'r.db'}", "redis://127.0.0.1:1/0", ZALO_APP_ID=fake_zalo.APP_ID,
                   ZALO_OA_SECRET=fake_zalo.OA_SECRET)
    raw, headers = signed(text_event())
    assert app.test_client().post("/zalo/webhook", data=raw, headers=headers).status_code == 503


def test_get_says_what_the_url_is_for(hook_app):
    response = hook_app.test_client().get("/zalo/webhook")
    assert response.status_code == 200 and "POST" in response.get_data(as_text=True)


def _alert(app, message_id: str) -> int:
    service = app.extensions["tracuu.service"]
    service.put_agency(AGENCY, {"name_vi": "UBND phường", "name_en": "", "address": "", "pickup_hours": "",
                                "hotline": ""}, AGENCY)
    put(service)
    with app.extensions["tracuu.store"].begin() as conn:
        from lookup.store.schema import dossiers

        dossier_id = conn.execute(dossiers.select()).first().id
        return rows.insert(conn, {
            "dossier_id": dossier_id, "cause": "test", "kind": "pickup", "to_phone": "+84912345678",
            "language": "vi", "body": "text", "status": delivery.SENT, "channel": "zalo", "provider": "zalo",
            "provider_message_id": message_id, "attempts": 1, "error": "", "created_at": NOW,
            "updated_at": NOW - timedelta(minutes=1)})


def test_delivery_events_move_the_alert_to_delivered_then_read_never_back(hook_app):
    notification = _alert(hook_app, "15a0cc0bbb13bd4ce403")
    client = hook_app.test_client()

    def event(name, message):
        body = FakeZalo.event_body(name, sender=fake_zalo.OA_ID, recipient="84912345678", message=message,
                                   timestamp="1700000000123")
        raw, headers = signed(body)
        assert client.post("/zalo/webhook", data=raw, headers=headers).status_code == 200
        with hook_app.extensions["tracuu.store"].connect() as conn:
            return rows.get(conn, notification).status

    received = {"delivery_time": "1700000000100", "msg_id": "15a0cc0bbb13bd4ce403",
                "tracking_id": str(notification)}
    assert event("user_received_message", received) == delivery.DELIVERED
    assert event("user_seen_message", {"msg_ids": ["15a0cc0bbb13bd4ce403", "other"]}) == delivery.READ
    assert event("user_received_message", received) == delivery.READ  # late: ignored
    assert event("user_seen_message", {"msg_ids": ["not-ours"]}) == delivery.READ
