"""The outbox: rows written with the change, enqueued after commit, swept when Redis was away.
A real private redis-server; the clock is fixed (tests.conftest.NOW, Friday 10:00 in Ha Noi)."""

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import insert

from lookup.clock import fixed
from lookup.store.schema import phones
from tests.conftest import NOW
from tests.worker.support import Dossiers, all_rows, build_app, settings
from worker import queues, scan, sweeper
from worker.dispatch import job_id


@pytest.fixture
def app(database_file_url, redis_url):
    application = build_app(settings(database_file_url, redis_url), clock=fixed(NOW))
    yield application
    application.extensions["tracuu.store"].dispose()


@pytest.fixture
def dossiers(app):
    return Dossiers(app)


def queued_ids(redis_url):
    return Queue(queues.ALERTS, connection=Redis.from_url(redis_url), serializer=queues.SERIALIZER).job_ids


@pytest.mark.parametrize("status, note, kind, words", [
    ("ready", "", "pickup", "da co ket qua"),
    ("supplement_requested", "Thiếu ảnh 4x6", "supplement", "Thieu anh 4x6"),
    ("fee_due", "Lệ phí 50.000 đồng", "fee_due", "50.000 dong"),
    ("not_accepted", "Tờ khai thiếu chữ ký", "not_accepted", "thieu chu ky"),
    ("stopped", "Không đủ điều kiện", "stopped", "Khong du dieu kien"),
])
def test_each_status_trigger_writes_one_row_and_enqueues_it(app, dossiers, redis_url, status, note, kind,
                                                             words):
    code = dossiers.new()
    dossiers.event(code, status, note=note)
    [row] = all_rows(app)
    assert (row.kind, row.status, row.to_phone, row.language) == (kind, "queued", "+84912000001", "vi")
    assert code in row.body and words in row.body and "Nguyen" not in row.body
    assert queued_ids(redis_url) == [job_id(row.id, None)]


def test_a_new_due_date_is_an_apology_with_the_date(app, dossiers):
    code = dossiers.new()
    dossiers.event(code, "processing", due_at=NOW + timedelta(days=12))
    [row] = all_rows(app)
    assert row.kind == "new_due_date" and "xin loi" in row.body and "02/12/2026" in row.body


def test_one_event_never_yields_two_alerts(app, dossiers, redis_url):
    code = dossiers.new()
    at = NOW - timedelta(hours=1)
    dossiers.event(code, "ready", at=at)
    dossiers.event(code, "ready", at=at)          # the back-office sent it twice
    dossiers.event(code, "processing", at=at - timedelta(hours=2))  # an older event, late
    assert [r.kind for r in all_rows(app)] == ["pickup"]
    assert len(queued_ids(redis_url)) == 1


def test_english_speakers_get_english(app, dossiers):
    code = dossiers.new(language="en")
    dossiers.event(code, "ready")
    assert all_rows(app)[0].body.startswith("Dossier ")


def test_the_language_a_phone_asked_for_wins(app, dossiers):
    code = dossiers.new(language="en")
    with app.extensions["tracuu.store"].begin() as conn:
        conn.execute(insert(phones).values(phone=dossiers.phone_of(code), language="vi", opted_out=False,
                                           updated_at=NOW))
    dossiers.event(code, "ready")
    assert all_rows(app)[0].body.startswith("Ho so ")


def test_an_opted_out_number_is_recorded_as_skipped(app, dossiers, redis_url):
    code = dossiers.new()
    with app.extensions["tracuu.store"].begin() as conn:
        conn.execute(insert(phones).values(phone=dossiers.phone_of(code), opted_out=True, updated_at=NOW))
    dossiers.event(code, "ready")
    [row] = all_rows(app)
    assert (row.status, row.error) == ("skipped", "opted out")
    assert queued_ids(redis_url) == []


def test_a_kind_turned_off_for_the_agency_is_skipped(app, dossiers, redis_url):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["alerts", "off", "000.00.04.H40", "pickup"])
    assert result.exit_code == 0, result.output
    first, second = dossiers.new(), dossiers.new()
    dossiers.event(first, "ready")
    dossiers.event(second, "supplement_requested", note="Thiếu ảnh")
    assert [(r.kind, r.status) for r in all_rows(app)] == [("pickup", "skipped"), ("supplement", "queued")]
    assert "off for agency" in all_rows(app)[0].error
    runner.invoke(args=["alerts", "on", "000.00.04.H40", "pickup"])
    third = dossiers.new()
    dossiers.event(third, "ready")
    assert all_rows(app)[-1].status == "queued"


def test_quiet_hours_defer_to_the_morning(database_file_url, redis_url):
    night = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # 22:30 in Ha Noi
    app = build_app(settings(database_file_url, redis_url, QUIET_HOURS="21:00-07:00"), clock=fixed(night))
    dossiers = Dossiers(app)
    dossiers.event(dossiers.new(), "ready")
    [row] = all_rows(app)
    morning = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 07:00 in Ha Noi
    assert row.send_after == morning
    registry = ScheduledJobRegistry(queues.ALERTS, connection=Redis.from_url(redis_url))
    assert registry.get_job_ids() == [job_id(row.id, morning)]
    assert registry.get_scheduled_time(job_id(row.id, morning)) == morning
    assert queued_ids(redis_url) == []


def test_redis_down_at_commit_then_the_sweeper_enqueues(app, dossiers, redis_server, redis_url):
    redis_server.stop()
    try:
        code = dossiers.new()
        change = dossiers.event(code, "ready")  # no exception: the change is what matters
        assert change is not None
    finally:
        redis_server.start()
    [row] = all_rows(app)
    assert row.status == "queued"
    assert queued_ids(redis_url) == []
    alerts = app.extensions["tracuu.alerts"]
    assert sweeper.sweep(alerts, grace=timedelta(0)) == 1
    assert queued_ids(redis_url) == [job_id(row.id, None)]
    assert sweeper.sweep(alerts, grace=timedelta(0)) == 0  # already waiting in Redis


def test_redis_restarted_and_lost_its_jobs(app, dossiers, redis_server, redis_url):
    dossiers.event(dossiers.new(), "ready")
    assert len(queued_ids(redis_url)) == 1
    redis_server.restart()  # no persistence: the queue is gone
    assert queued_ids(redis_url) == []
    alerts = app.extensions["tracuu.alerts"]
    assert sweeper.sweep(alerts, grace=timedelta(minutes=5)) == 0  # too fresh: its own enqueue may be running
    assert sweeper.sweep(alerts, now=NOW + timedelta(minutes=6), grace=timedelta(minutes=5)) == 1
    assert len(queued_ids(redis_url)) == 1


def test_daily_scan_apologises_once_for_a_missed_due_date_and_reminds_once(app, dossiers, redis_url):
    late = dossiers.new(due_in=timedelta(days=-1))
    on_time = dossiers.new(due_in=timedelta(days=2))
    waiting = dossiers.new(due_in=timedelta(days=-20), received_ago=timedelta(days=30))
    dossiers.event(waiting, "ready", at=NOW - timedelta(days=8))
    collected = dossiers.new(due_in=timedelta(days=-20), received_ago=timedelta(days=30))
    dossiers.event(collected, "ready", at=NOW - timedelta(days=8))
    dossiers.event(collected, "returned", at=NOW - timedelta(days=7))
    before = {r.id for r in all_rows(app)}
    alerts = app.extensions["tracuu.alerts"]
    assert scan.daily_scan(alerts) == {"overdue": 1, "pickup_reminder": 1}
    assert scan.daily_scan(alerts) == {"overdue": 0, "pickup_reminder": 0}
    new = [r for r in all_rows(app) if r.id not in before]
    assert sorted(r.kind for r in new) == ["overdue", "pickup_reminder"]
    by_kind = {r.kind: r for r in new}
    assert late in by_kind["overdue"].body and "qua han 19/11/2026" in by_kind["overdue"].body
    assert waiting in by_kind["pickup_reminder"].body
    assert on_time not in " ".join(r.body for r in new)


def test_the_daily_scan_counts_tet_as_days_off(app, dossiers):
    # Ready the Friday before Tết 2026 (16-20 February off): five working days later is the
    # 27th; a week of calendar days would have reminded during the holiday's aftermath.
    ready = datetime(2026, 2, 13, 3, tzinfo=UTC)
    code = dossiers.new(received_ago=NOW - datetime(2026, 2, 2, 3, tzinfo=UTC),
                        due_in=datetime(2026, 2, 12, 10, tzinfo=UTC) - NOW)
    dossiers.event(code, "ready", at=ready)
    alerts = app.extensions["tracuu.alerts"]
    assert scan.daily_scan(alerts, now=datetime(2026, 2, 26, 3, tzinfo=UTC))["pickup_reminder"] == 0
    assert scan.daily_scan(alerts, now=datetime(2026, 2, 27, 3, tzinfo=UTC))["pickup_reminder"] == 1


def test_the_sweeper_pages_through_every_row_left_behind(app, dossiers, redis_server, redis_url, monkeypatch):
    for _ in range(5):
        dossiers.event(dossiers.new(), "ready")
    redis_server.restart()
    monkeypatch.setattr(sweeper, "BATCH", 2)
    alerts = app.extensions["tracuu.alerts"]
    assert sweeper.sweep(alerts, grace=timedelta(0)) == 5
    assert sweeper.sweep(alerts, grace=timedelta(0)) == 0
    assert len(queued_ids(redis_url)) == 5


def test_outbox_and_sweeper_on_both_databases(database_url, redis_url):
    """The outbox queries (insert on conflict, compare-and-set, sweeper, scan) on SQLite and PostgreSQL."""
    from lookup import delivery
    from lookup.store import notifications as rows

    app = build_app(settings(database_url, redis_url), clock=fixed(NOW))
    dossiers = Dossiers(app)
    code = dossiers.new(due_in=timedelta(days=-1))
    dossiers.event(code, "supplement_requested", note="Thiếu ảnh", at=NOW - timedelta(hours=1))
    dossiers.event(code, "supplement_requested", note="Thiếu ảnh", at=NOW - timedelta(hours=1))
    alerts = app.extensions["tracuu.alerts"]
    assert scan.daily_scan(alerts) == {"overdue": 1, "pickup_reminder": 0}
    found = all_rows(app)
    assert sorted(r.kind for r in found) == ["overdue", "supplement"]
    Redis.from_url(redis_url).flushall()
    assert sweeper.sweep(alerts, grace=timedelta(0)) == 2
    with alerts.store.begin() as conn:
        claimed = {"status": delivery.SENDING, "sending_at": NOW, "updated_at": NOW}
        assert rows.compare_and_set(conn, found[0].id, {"status": "queued", "sending_at": None}, claimed)
        assert not rows.compare_and_set(conn, found[0].id, {"status": "queued", "sending_at": None}, claimed)
    with alerts.store.connect() as conn:
        assert rows.get_for_sending(conn, found[0].id).opted_out is False
    app.extensions["tracuu.store"].dispose()


def test_the_nightly_housekeeping_refreshes_the_expected_completion_once_a_day(app, dossiers, redis_url):
    from lookup.store.schema import expected_times
    from worker.runner import Periodic

    code = dossiers.new(received_ago=timedelta(days=10))
    dossiers.event(code, "ready", at=NOW - timedelta(days=1))
    alerts = app.extensions["tracuu.alerts"]
    periodic = Periodic(alerts)
    periodic.tick()
    with alerts.store.connect() as conn:
        assert [(r.samples, r.p50_working_days) for r in conn.execute(expected_times.select())] == [(1, 7)]
        conn.execute(expected_times.delete())
        conn.commit()
    periodic.tick()  # done today: not again
    with alerts.store.connect() as conn:
        assert conn.execute(expected_times.select()).all() == []
