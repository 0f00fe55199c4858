"""A citizen chatting with the OA, end to end: Zalo's signed events reach the app over HTTP, a real
worker process answers through the OA API (the fake's), a shared phone is linked and proves
ownership, HUY from Zalo stops that phone's alerts, and Zalo's delivery events move an alert
to delivered and read."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

from lookup import delivery
from tests.support import fake_zalo
from tests.support.fake_zalo import FakeZalo
from tests.support.servers import free_port
from tests.worker.support import (
    Dossiers,
    all_done,
    all_rows,
    build_app,
    row,
    settings,
    wait_until,
    zalo_settings,
)

USER = "2468458835296117922"


def test_a_chat_and_an_alert_through_the_webhook_and_a_worker(database_file_url, redis_url, twilio, zalo,
                                                              workers):
    port = free_port()
    values = settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url,
                      PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **zalo_settings(zalo.url))
    app = build_app(values)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{port}/zalo/webhook"

    def says(text: str, msg_id: str) -> None:
        body = FakeZalo.event_body("user_send_text", sender=USER, recipient=fake_zalo.OA_ID,
                                   message={"text": text, "msg_id": msg_id})
        assert zalo.event(hook, body).status_code == 200

    def answers(count: int) -> list[str]:
        return wait_until(lambda: len(zalo.texts_to(USER)) >= count and zalo.texts_to(USER),
                          what=f"{count} answers")

    try:
        dossiers = Dossiers(app)
        code = dossiers.new(phone="0912345678")
        group = workers(values)
        group.start(1)  # alerts
        group.start(1, "--queue", "chat")

        says(f"Tra cứu {code}", "m1")
        first = answers(1)[0]
        assert first.startswith(f"HS {code}: Đã tiếp nhận. Hẹn trả ")  # with accents, as Zalo carries them

        shared = FakeZalo.event_body("user_submit_info", sender=USER, recipient=fake_zalo.OA_ID,
                                     info={"name": "Nguyễn Văn An", "phone": "84912345678"})
        assert zalo.event(hook, shared).status_code == 200
        assert answers(2)[1].startswith("Tài khoản Zalo này đã được liên kết với số 0912 345 678.")

        says("HUY", "m2")
        assert answers(3)[2] == "Bạn sẽ không nhận tin nhắn thông báo nữa. Soạn BATDAU để bật lại."
        dossiers.event(code, "ready")  # its alert: the phone opted out from Zalo
        wait_until(lambda: all_done(app), what="the alert handled")
        [skipped] = all_rows(app)
        assert skipped.status == delivery.SKIPPED and zalo.sent() == []

        other = dossiers.new()
        dossiers.event(other, "ready")
        wait_until(lambda: all_done(app), what="the second alert sent")
        [zns] = zalo.sent()
        alert = row(app, int(zns.tracking_id))
        assert (alert.status, alert.channel, alert.provider_message_id) == ("sent", "zalo", zns.msg_id)
        message = {"delivery_time": "1700000000100", "msg_id": zns.msg_id, "tracking_id": zns.tracking_id}
        received = FakeZalo.event_body("user_received_message", sender=fake_zalo.OA_ID, recipient=zns.phone,
                                       message=message)
        assert zalo.event(hook, received, zns=True).status_code == 200
        assert row(app, alert.id).status == delivery.DELIVERED
        seen = FakeZalo.event_body("user_seen_message", sender=fake_zalo.OA_ID, recipient=zns.phone,
                                   message={"msg_ids": [zns.msg_id]})
        assert zalo.event(hook, seen).status_code == 200
        assert zalo.event(hook, received, zns=True).status_code == 200  # late, again
        assert row(app, alert.id).status == delivery.READ
        assert len(zalo.texts_to(USER)) == 3  # each event answered once
    finally:
        server.shutdown()
