"""Alerts through real RQ worker processes, the private Redis, a SQLite file and the real
`twilio` SDK talking to a local fake of Twilio's Messages API."""

from datetime import UTC, datetime, time, timedelta

from redis import Redis
from rq.registry import ScheduledJobRegistry
from sqlalchemy import insert

from lookup import delivery
from lookup.clock import OFFICE_ZONE, fixed, local, utcnow
from lookup.store.schema import phones
from tests.worker.support import Dossiers, all_done, all_rows, build_app, row, settings, wait_until
from worker import queues


def test_every_trigger_reaches_the_phone_once(values, twilio, workers):
    app = build_app(values)
    dossiers = Dossiers(app)
    for status, note in [("ready", ""), ("supplement_requested", "Thiếu ảnh 4x6"),
                         ("fee_due", "Lệ phí 50.000 đồng"), ("not_accepted", "Thiếu chữ ký"),
                         ("stopped", "Không đủ điều kiện")]:
        dossiers.event(dossiers.new(), status, note=note)
    dossiers.event(dossiers.new(), "processing", due_at=utcnow() + timedelta(days=12))
    workers(values).start(1)
    wait_until(lambda: all_done(app), what="all alerts sent")
    sent = {m.to: m for m in twilio.sent()}
    found = all_rows(app)
    assert sorted(r.kind for r in found) == sorted(
        ["pickup", "supplement", "fee_due", "not_accepted", "stopped", "new_due_date"])
    assert len(twilio.sent()) == len(found) == len(sent)
    for notification in found:
        message = sent[notification.to_phone]
        assert notification.status == delivery.SENT
        assert (notification.provider, notification.provider_message_id) == ("twilio", message.sid)
        assert message.body == notification.body and message.from_ == values["TWILIO_FROM"]


def test_a_number_that_opted_out_before_the_send_is_skipped(values, twilio, workers):
    app = build_app(values)
    dossiers = Dossiers(app)
    code = dossiers.new()
    dossiers.event(code, "ready")
    with app.extensions["tracuu.store"].begin() as conn:  # HUY arrives before a worker runs
        conn.execute(insert(phones).values(phone=dossiers.phone_of(code), opted_out=True,
                                           updated_at=utcnow()))
    workers(values).start(1)
    wait_until(lambda: all_done(app), what="alert skipped")
    [notification] = all_rows(app)
    assert (notification.status, notification.error) == ("skipped", "opted out")
    assert twilio.sent() == []


def test_retry_then_success(values, twilio, workers):
    app = build_app(values)
    dossiers = Dossiers(app)
    dossiers.event(dossiers.new(), "ready")
    twilio.fail_next(2, twilio.TOO_MANY_REQUESTS)
    workers(values).start(1)
    wait_until(lambda: all_done(app), what="alert sent after retries")
    [notification] = all_rows(app)
    assert (notification.status, notification.attempts) == ("sent", 3)
    assert len(twilio.sent()) == 1


def test_permanent_failure_is_recorded_with_the_reason(values, twilio, workers):
    app = build_app(values)
    dossiers = Dossiers(app)
    code = dossiers.new()
    dossiers.event(code, "ready")
    twilio.fail_next(1, twilio.INVALID_NUMBER)
    workers(values).start(1)
    wait_until(lambda: all_done(app), what="alert failed")
    [notification] = all_rows(app)
    assert (notification.status, notification.attempts) == ("failed", 1)
    assert "21211" in notification.error
    report = app.test_cli_runner().invoke(args=["alerts"])
    assert report.exit_code == 0, report.output
    lines = report.output.splitlines()
    assert lines[0].split() == ["kind", *delivery.STATUSES, "total"]
    assert [line.split() for line in lines if line.startswith("pickup")] == [
        ["pickup", "0", "0", "0", "0", "0", "0", "1", "0", "1"]]
    assert any(code in line and "21211" in line for line in lines)


def test_a_lost_answer_is_asked_about_not_sent_twice(values, twilio, workers):
    app = build_app(values)
    dossiers = Dossiers(app)
    dossiers.event(dossiers.new(), "ready")
    twilio.lose_next_response(1)  # Twilio took the text; the answer never arrived
    workers(values).start(1)
    wait_until(lambda: all_done(app), what="alert recorded")
    [notification] = all_rows(app)
    [message] = twilio.sent()
    assert (notification.status, notification.provider_message_id) == ("sent", message.sid)
    assert ("GET", f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json") in twilio.requests


def test_pacing_is_shared_by_all_workers(database_file_url, redis_url, twilio, workers):
    values = settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url, SMS_RATE_PER_SECOND=4)
    app = build_app(values)
    dossiers = Dossiers(app)
    for _ in range(12):
        dossiers.event(dossiers.new(), "ready")
    workers(values).start(3)
    wait_until(lambda: all_done(app), what="all sent")
    moments = sorted(m.date_created for m in twilio.sent())
    assert len(moments) == 12
    # 12 texts at 4 a second from 3 workers take 11 slots 0.25 s apart (2.75 s). Only a lower
    # bound is checked, with room for the first send to reach the provider late (it did, by
    # 0.3 s, on a loaded machine): unpaced, the 12 go out within a fraction of a second.
    assert moments[-1] - moments[0] >= timedelta(seconds=2.0)


def _last_night() -> datetime:
    """22:30 in Ha Noi on a night whose 07:00 has passed (so the scheduler releases the text now)."""
    today = local(utcnow()).date()
    day = today - timedelta(days=1 if local(utcnow()).time() >= time(7, 0) else 2)
    return datetime.combine(day, time(22, 30), OFFICE_ZONE).astimezone(UTC)


def test_quiet_hours_with_a_fixed_clock(database_file_url, redis_url, twilio, workers):
    values = settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url, QUIET_HOURS="21:00-07:00")
    night = _last_night()
    app = build_app(values, clock=fixed(night))
    dossiers = Dossiers(app)
    dossiers.event(dossiers.new(), "ready", at=night - timedelta(minutes=5))
    [notification] = all_rows(app)
    morning = datetime.combine(local(night).date() + timedelta(days=1), time(7, 0), OFFICE_ZONE)
    assert notification.send_after == morning
    registry = ScheduledJobRegistry(queues.ALERTS, connection=Redis.from_url(redis_url))
    assert registry.get_scheduled_time(registry.get_job_ids()[0]) == morning
    # The worker (its own quiet hours off, as at 07:00) gets it from RQ's scheduler and sends it.
    workers({**values, "QUIET_HOURS": ""}).start(1)
    wait_until(lambda: all_done(app), what="sent in the morning")
    assert row(app, notification.id).status == "sent" and len(twilio.sent()) == 1


def test_a_worker_in_quiet_hours_defers_what_it_is_given(values, twilio, workers):
    app = build_app(values)  # the writer has no quiet hours: the job is enqueued at once
    dossiers = Dossiers(app)
    dossiers.event(dossiers.new(), "ready")
    now = local(utcnow())
    window = f"{(now - timedelta(hours=1)):%H:%M}-{(now + timedelta(hours=2)):%H:%M}"
    workers({**values, "QUIET_HOURS": window}).start(1)
    [notification] = all_rows(app)
    wait_until(lambda: row(app, notification.id).send_after is not None, what="deferred")
    registry = ScheduledJobRegistry(queues.ALERTS, connection=Redis.from_url(values["REDIS_URL"]))
    wait_until(lambda: registry.count == 1, what="scheduled for the end of quiet hours")
    assert row(app, notification.id).status == "queued" and twilio.sent() == []


def test_the_sweeper_after_redis_was_stopped_and_started(values, twilio, workers, redis_server):
    app = build_app(values)
    dossiers = Dossiers(app)
    group = workers(values)
    group.start(1)
    redis_server.stop()
    try:
        dossiers.event(dossiers.new(), "ready")  # committed; the enqueue fails quietly
    finally:
        redis_server.start()
    [notification] = all_rows(app)
    assert notification.status == "queued"
    try:
        wait_until(lambda: all_done(app), timeout=90, what="swept and sent")
    except AssertionError:
        raise AssertionError(group.logs()) from None
    assert row(app, notification.id).status == "sent" and len(twilio.sent()) == 1


def test_the_delivery_report_moves_the_alert_to_delivered(database_file_url, redis_url, twilio, workers):
    """queued → sending → sent (worker) → delivered (Twilio's signed status callback, SMS webhook)."""
    import threading

    from werkzeug.serving import make_server

    from tests.support.servers import free_port

    port = free_port()
    values = settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url,
                      PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    app = build_app(values)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dossiers = Dossiers(app)
        dossiers.event(dossiers.new(), "ready")
        workers(values).start(1)
        wait_until(lambda: all_done(app), what="sent")
        [message] = twilio.sent()
        assert message.status_callback == f"http://127.0.0.1:{port}/sms/twilio/status"
        assert twilio.report(message.sid, "delivered") < 300
        assert twilio.report(message.sid, "sent") < 300  # late and stale: ignored
    finally:
        server.shutdown()
    [notification] = all_rows(app)
    assert notification.status == "delivered"


def test_the_forking_worker_class_sends_too(values, twilio, workers):
    """`alerts-worker --fork`: a work horse per job, with its own database connections."""
    app = build_app(values)
    dossiers = Dossiers(app)
    for _ in range(3):
        dossiers.event(dossiers.new(), "ready")
    workers(values).start(1, "--fork")
    wait_until(lambda: all_done(app), what="sent by forked horses")
    assert [r.status for r in all_rows(app)] == ["sent"] * 3 and len(twilio.sent()) == 3
