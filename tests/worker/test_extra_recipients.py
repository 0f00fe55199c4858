"""One more phone for a dossier's alerts, end to end (issue 12, item 10): added on the page
with proof, its code texted by a real RQ worker through the real twilio SDK to a fake Twilio,
texted back through the Kannel webhook, then every alert goes to both phones, one outbox row
each; STOP from it ends its alerts and not the registered phone's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from lookup import delivery, qr, recipients
from lookup.clock import fixed, utcnow
from tests.worker.support import Dossiers, all_done, all_rows, build_app, settings, wait_until
from worker import policy, sending

EXTRA = "+84987654321"


def text_in(client, values, phone, text):
    """An SMS arriving through Kannel's get-url webhook."""
    response = client.get("/sms/kannel", query_string={"secret": values["KANNEL_SECRET"], "from": phone,
                                                      "text": text})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def add_on_the_page(app, client, code, phone="0987 654 321"):
    page = f"/d/{qr.make_token(code, app.config['SECRET_KEY'])}"
    assert b'action="/so-nhan-tin"' in client.get(page).data
    added = client.post("/so-nhan-tin", data={"page": page, "phone": phone})
    assert added.status_code == 303 and added.headers["Location"] == page + "#alerts"
    return page


def test_the_extra_phone_confirms_then_gets_every_alert_and_stop_ends_it(values, twilio, workers):
    app = build_app({**values, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    dossiers = Dossiers(app)
    code = dossiers.new()
    registered = dossiers.phone_of(code)
    page = add_on_the_page(app, client, code)
    assert "0987***321" in client.get(page).get_data(as_text=True)
    group = workers(values)
    group.start(1)
    wait_until(lambda: all_done(app), what="the code texted")
    [message] = twilio.sent()
    assert message.to == EXTRA and code in message.body
    secret = re.search(r"nhan (\d{6}) gui 8077", message.body)[1]
    # Nothing but the code goes to it before it answers.
    dossiers.event(code, "supplement_requested", note="Thiếu ảnh 4x6")
    assert {r.to_phone for r in all_rows(app) if r.kind == policy.SUPPLEMENT} == {registered}

    assert text_in(client, values, EXTRA, "000000") == "Ma xac nhan khong dung. Con 4 lan thu."
    reply = text_in(client, values, EXTRA, f"XN {secret}")
    assert code in reply and "HUY" in reply
    assert "Tin báo về hồ sơ này cũng được gửi đến 0987***321" in client.get(page).get_data(as_text=True)

    dossiers.event(code, "ready")
    wait_until(lambda: all_done(app) and len(twilio.sent()) == 4, what="the alerts sent")
    ready = [r for r in all_rows(app) if r.kind == policy.PICKUP]
    assert sorted(r.to_phone for r in ready) == sorted([registered, EXTRA])
    assert all(r.status == delivery.SENT for r in ready)
    assert sorted(m.to for m in twilio.sent()[-2:]) == sorted([registered, EXTRA])

    # The same event again: no new row for either phone.
    rows_before = len(all_rows(app))
    dossiers.event(code, "ready", at=ready[0].created_at.replace(microsecond=0) - timedelta(minutes=1))
    assert len(all_rows(app)) == rows_before

    # STOP from the extra phone: it is removed; the registered phone keeps its alerts.
    assert "BATDAU" in text_in(client, values, EXTRA, "HUY")
    dossiers.event(code, "processing", due_at=utcnow() + timedelta(days=9))
    wait_until(lambda: all_done(app), what="the apology sent")
    [apology] = [r for r in all_rows(app) if r.kind == policy.NEW_DUE_DATE]
    assert apology.to_phone == registered
    assert "0987***321" not in client.get(page).get_data(as_text=True)


def test_a_code_goes_out_in_quiet_hours_and_not_after_it_expired(database_file_url, redis_url):
    night = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # 22:30 in Ha Noi
    app = build_app(settings(database_file_url, redis_url, QUIET_HOURS="21:00-07:00",
                             RATELIMIT_ENABLED=False), clock=fixed(night))
    dossiers = Dossiers(app)
    code = dossiers.new()
    add_on_the_page(app, app.test_client(), code)
    [text] = all_rows(app)
    assert text.kind == policy.CONFIRM_PHONE and text.send_after is None  # not deferred to 07:00
    alerts = app.extensions["tracuu.alerts"]
    alerts.service.clock = fixed(night + recipients.CODE_LIFETIME + timedelta(seconds=1))
    assert sending.deliver(alerts, text.id, retries_left=3) == delivery.FAILED
    [text] = all_rows(app)
    assert text.status == delivery.FAILED and "expired" in text.error


@pytest.mark.parametrize("phone, problem", [
    ("0912 34", "Hãy nhập số điện thoại di động Việt Nam"),
    ("0243 858 0000", "Hãy nhập số điện thoại di động Việt Nam"),
])
def test_a_number_that_cannot_get_texts_is_refused_on_the_page(database_file_url, redis_url, phone, problem):
    app = build_app(settings(database_file_url, redis_url, RATELIMIT_ENABLED=False))
    client = app.test_client()
    code = Dossiers(app).new()
    page = f"/d/{qr.make_token(code, app.config['SECRET_KEY'])}"
    refused = client.post("/so-nhan-tin", data={"page": page, "phone": phone})
    assert refused.status_code == 400 and problem in refused.get_data(as_text=True)
    assert all_rows(app) == []
