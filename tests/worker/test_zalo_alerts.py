"""Alerts by Zalo (ZNS) with SMS as the fallback: the sending job run in this process against
local fakes of Zalo's APIs (tests/support/fake_zalo.py) and Twilio's, a private Redis and a
SQLite file. Real worker processes carry the same path in test_zalo_workers.py."""

from __future__ import annotations

import json

import pytest

from lookup import delivery
from lookup.clock import utcnow
from lookup.store.schema import phones
from tests.support.fake_zalo import FakeZalo
from tests.worker.support import Dossiers, all_rows, build_app, row, settings, zalo_settings
from worker import sending
from worker.sending import RetryLater


@pytest.fixture
def zalo_values(database_file_url, redis_url, twilio, zalo) -> dict:
    return settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url, **zalo_settings(zalo.url))


def deliver(app, notification_id: int, retries_left: int = 5) -> str:
    return sending.deliver(app.extensions["tracuu.alerts"], notification_id, retries_left)


def one_alert(app, status: str = "ready", note: str = "", language: str = "vi", phone: str | None = None):
    dossiers = Dossiers(app)
    code = dossiers.new(language=language, phone=phone)
    dossiers.event(code, status, note=note)
    [notification] = all_rows(app)
    return code, notification


def test_an_alert_goes_by_zns_with_accents_and_our_id_as_tracking_id(zalo_values, zalo, twilio):
    app = build_app(zalo_values)
    code, notification = one_alert(app, "supplement_requested", note="Thiếu bản sao CCCD và ảnh 4×6.")
    assert (notification.channel, notification.fallback_reason) == ("zalo", "")
    assert deliver(app, notification.id) == "sent"
    [zns] = zalo.sent()
    assert zns.phone == notification.to_phone.lstrip("+") and zns.tracking_id == str(notification.id)
    assert zns.template_id == "1002"
    assert zns.template_data == {"code": code, "status": "Yêu cầu bổ sung",
                                 "office": "UBND phường Thanh Xuân",
                                 "date": json.loads(notification.template_data)["date"],
                                 "note": "Thiếu bản sao CCCD và ảnh 4×6"}
    done = row(app, notification.id)
    assert (done.status, done.channel, done.provider, done.provider_message_id) == (
        "sent", "zalo", "zalo", zns.msg_id)
    assert twilio.sent() == [] and zalo.refreshes == 1


@pytest.mark.parametrize("refusal", [
    FakeZalo.NO_ZALO_ACCOUNT, FakeZalo.CANNOT_RECEIVE, FakeZalo.USER_INACTIVE, FakeZalo.BLOCKED_OA,
    FakeZalo.PHONE_INVALID, FakeZalo.TEMPLATE_NOT_APPROVED, FakeZalo.TEMPLATE_DISABLED,
    FakeZalo.NO_PERMISSION, FakeZalo.DAILY_LIMIT, FakeZalo.MISSING_PARAMETER,
], ids=lambda f: f"{f.code}")
def test_each_refusal_gives_the_same_alert_to_sms_once(zalo_values, zalo, twilio, refusal):
    app = build_app(zalo_values)
    _, notification = one_alert(app)
    zalo.refuse(notification.to_phone, refusal)
    assert deliver(app, notification.id) == "sent"
    assert zalo.sent() == []
    [sms] = twilio.sent()
    done = row(app, notification.id)
    assert sms.to == notification.to_phone and sms.body == notification.body
    assert (done.status, done.channel, done.provider, done.provider_message_id) == (
        "sent", "sms", "twilio", sms.sid)
    assert done.fallback_reason == f"zalo: ZNS: zalo {refusal.code}: {refusal.message}"
    assert done.attempts == 1 and done.possible_duplicates == 0


@pytest.mark.parametrize("transient", [FakeZalo.UNKNOWN_ERROR, FakeZalo.SERVER_ERROR], ids=["-100", "502"])
def test_a_transient_zalo_error_is_retried_by_zalo(zalo_values, zalo, twilio, transient):
    app = build_app(zalo_values)
    _, notification = one_alert(app)
    zalo.fail_next(1, transient)
    with pytest.raises(RetryLater):
        deliver(app, notification.id)
    between = row(app, notification.id)
    assert (between.status, between.channel, between.sending_at) == ("sending", "zalo", None)
    assert deliver(app, notification.id) == "sent"
    assert len(zalo.sent()) == 1 and twilio.sent() == []
    assert row(app, notification.id).channel == "zalo"


def test_zalo_failing_again_and_again_hands_the_alert_to_sms(zalo_values, zalo, twilio):
    app = build_app(zalo_values)  # ZALO_FALLBACK_AFTER_TRIES=3
    _, notification = one_alert(app)
    zalo.fail_next(3, FakeZalo.SERVER_ERROR)
    for _ in range(2):
        with pytest.raises(RetryLater):
            deliver(app, notification.id)
    assert deliver(app, notification.id) == "sent"
    done = row(app, notification.id)
    assert (done.channel, done.attempts, len(twilio.sent()), zalo.sent()) == ("sms", 3, 1, [])
    assert done.fallback_reason.startswith("zalo: ZNS: zalo HTTP 502 (after 3 tries)")


def test_the_last_try_hands_the_alert_to_sms_whatever_the_count(zalo_values, zalo, twilio):
    app = build_app(zalo_values)
    _, notification = one_alert(app)
    zalo.fail_next(1, FakeZalo.UNKNOWN_ERROR)
    assert deliver(app, notification.id, retries_left=0) == "sent"
    assert row(app, notification.id).channel == "sms" and len(twilio.sent()) == 1


def test_a_lost_zns_answer_is_counted_as_a_possible_duplicate(zalo_values, zalo, twilio):
    app = build_app(zalo_values)
    _, notification = one_alert(app)
    zalo.lose_next_response(1)  # Zalo took it; the answer never came
    with pytest.raises(RetryLater):
        deliver(app, notification.id)
    assert row(app, notification.id).possible_duplicates == 1
    assert deliver(app, notification.id) == "sent"
    assert len(zalo.sent()) == 2 and twilio.sent() == []  # ZNS keeps no list to ask


def test_an_expired_token_is_refreshed_and_the_send_made_again(zalo_values, zalo, twilio):
    app = build_app(zalo_values)
    dossiers = Dossiers(app)
    for _ in range(2):
        dossiers.event(dossiers.new(), "ready")
    first, second = all_rows(app)
    assert deliver(app, first.id) == "sent" and zalo.refreshes == 1
    zalo.expire_access_token()  # Zalo answers -124 to the token we hold
    assert deliver(app, second.id) == "sent"
    assert zalo.refreshes == 2 and len(zalo.sent()) == 2 and twilio.sent() == []


def test_a_dead_grant_sends_by_sms_after_the_tries(zalo_values, zalo, twilio):
    app = build_app({**zalo_values, "ZALO_FALLBACK_AFTER_TRIES": 1})
    _, notification = one_alert(app)
    zalo.set_refresh_token("a-grant-we-do-not-have")  # ours is refused
    assert deliver(app, notification.id) == "sent"
    done = row(app, notification.id)
    assert done.channel == "sms" and "no Zalo access token" in done.fallback_reason
    assert "Zalo refused the refresh token" in done.fallback_reason and len(twilio.sent()) == 1


@pytest.mark.parametrize(("overrides", "language", "phone", "reason"), [
    ({"ZALO_TEMPLATES": "fee_due=1003"}, "vi", None, "zalo: no template for pickup in vi (ZALO_TEMPLATES)"),
    ({}, "en", None, "zalo: no template for pickup in en (ZALO_TEMPLATES)"),
    ({}, "vi", "+15005550006", "zalo: not a Vietnamese number"),
])
def test_what_zalo_cannot_carry_is_written_for_sms(zalo_values, zalo, twilio, overrides, language, phone,
                                                     reason):
    app = build_app({**zalo_values, **overrides})
    _, notification = one_alert(app, language=language, phone=phone)
    assert (notification.channel, notification.fallback_reason, notification.template_data) == (
        "sms", reason, None)
    assert deliver(app, notification.id) == "sent"
    assert zalo.sent() == [] and len(twilio.sent()) == 1


def test_an_english_template_carries_english_words(zalo_values, zalo, twilio):
    app = build_app({**zalo_values, "ZALO_TEMPLATES": zalo_values["ZALO_TEMPLATES"] + ",ready.en=2001"})
    _, notification = one_alert(app, language="en")
    assert deliver(app, notification.id) == "sent"
    [zns] = zalo.sent()
    assert zns.template_id == "2001" and zns.template_data["status"] == "Ready for pickup"
    assert zns.template_data["office"] == "Thanh Xuan Ward People's Committee"


def test_a_template_removed_since_the_row_was_written_sends_by_sms(zalo_values, zalo, twilio):
    writer = build_app(zalo_values)
    _, notification = one_alert(writer)
    worker_app = build_app({**zalo_values, "ZALO_TEMPLATES": "fee_due=1003"})
    assert deliver(worker_app, notification.id) == "sent"
    done = row(worker_app, notification.id)
    assert done.channel == "sms" and "no zalo template for pickup" in done.fallback_reason


def test_opted_out_stops_zalo_too(zalo_values, zalo, twilio):
    app = build_app(zalo_values)
    _, notification = one_alert(app)
    with app.extensions["tracuu.store"].begin() as conn:
        conn.execute(phones.insert().values(phone=notification.to_phone, opted_out=True, updated_at=utcnow()))
    assert deliver(app, notification.id) == delivery.SKIPPED
    assert zalo.sent() == [] and twilio.sent() == []


def test_only_sms_is_the_default(database_file_url, redis_url, twilio, zalo):
    app = build_app(settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url,
                             **{**zalo_settings(zalo.url), "ALERT_CHANNELS": "sms"}))
    _, notification = one_alert(app)
    assert (notification.channel, notification.template_data) == ("sms", None)
    assert deliver(app, notification.id) == "sent"
    assert zalo.sent() == [] and zalo.refreshes == 0 and len(twilio.sent()) == 1


def test_no_channel_left_fails_with_the_reason(zalo_values, zalo, twilio):
    app = build_app({**zalo_values, "ALERT_CHANNELS": "zalo"})
    _, notification = one_alert(app)
    zalo.refuse(notification.to_phone, FakeZalo.NO_ZALO_ACCOUNT)
    assert deliver(app, notification.id) == delivery.FAILED
    done = row(app, notification.id)
    assert done.channel == "zalo" and "-118" in done.error and twilio.sent() == []


def test_the_alerts_report_names_the_channels_and_why_alerts_fell_back(zalo_values, zalo, twilio):
    app = build_app(zalo_values)
    dossiers = Dossiers(app)
    for _ in range(2):
        dossiers.event(dossiers.new(), "ready")
    first, second = all_rows(app)
    zalo.refuse(second.to_phone, FakeZalo.NO_ZALO_ACCOUNT)
    assert deliver(app, first.id) == deliver(app, second.id) == "sent"
    report = app.test_cli_runner().invoke(args=["alerts"])
    assert report.exit_code == 0, report.output
    lines = report.output.splitlines()
    assert "by channel: sms 1, zalo 1" in lines
    assert "carried by a later channel (ALERT_CHANNELS), newest 1 of 1:" in lines
    assert any(line.startswith(f"  #{second.id} ") and line.endswith(
        "pickup -> sms: zalo: ZNS: zalo -118: Zalo account not existed") for line in lines)


def test_the_demo_never_reaches_zalo(zalo_values, zalo, twilio):
    from lookup import demo

    app = build_app(zalo_values)
    demo.load(app.extensions["tracuu.service"])
    found = all_rows(app)
    assert len(found) >= 5
    for notification in found:
        assert deliver(app, notification.id) == "sent"
    assert zalo.sent() == [] and twilio.sent() == [] and zalo.refresh_attempts == 0
    assert {(r.channel, r.provider) for r in all_rows(app)} == {("sms", "console")}


def test_quiet_hours_hold_for_zalo(database_file_url, redis_url, twilio, zalo):
    from datetime import UTC, datetime

    from lookup.clock import fixed

    night = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 23:00 in Hà Nội
    values = settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url, QUIET_HOURS="21:00-07:00",
                      **zalo_settings(zalo.url))
    writer = build_app({**values, "QUIET_HOURS": ""}, clock=fixed(night))  # enqueued at once
    _, notification = one_alert(writer)
    worker = build_app(values, clock=fixed(night))
    assert deliver(worker, notification.id) == "deferred"
    assert row(worker, notification.id).send_after == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    assert zalo.sent() == [] and twilio.sent() == []
