"""Alerts by Zalo then SMS through real `flask alerts-worker` processes, the private Redis, a
SQLite file, and local fakes of Zalo's and Twilio's APIs."""

from datetime import timedelta

import pytest

from lookup.tokens import TokenVault
from tests.support.fake_zalo import FakeZalo
from tests.worker.support import Dossiers, all_done, all_rows, build_app, settings, wait_until, zalo_settings


def test_two_workers_share_one_token_refresh_and_carry_every_alert_once(
        database_file_url, redis_url, twilio, workers):
    zalo = FakeZalo(refresh_delay=0.5).start()  # a slow refresh: both workers want a token meanwhile
    try:
        values = settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url, **zalo_settings(zalo.url))
        app = build_app(values)
        dossiers = Dossiers(app)
        codes = [dossiers.new() for _ in range(8)]
        refused = dossiers.phone_of(codes[0])
        zalo.refuse(refused, FakeZalo.BLOCKED_OA)
        for code in codes:
            dossiers.event(code, "ready")
        workers(values).start(2)
        wait_until(lambda: all_done(app), what="all alerts sent")
        found = all_rows(app)
        assert (zalo.refresh_attempts, zalo.refreshes) == (1, 1)
        assert sorted((r.to_phone, r.channel) for r in found) == sorted(
            (r.to_phone, "sms" if r.to_phone == refused else "zalo") for r in found)
        assert [m.to for m in twilio.sent()] == [refused]
        by_zalo = sorted(r.to_phone for r in found if r.to_phone != refused)
        assert sorted(f"+{z.phone}" for z in zalo.sent()) == by_zalo
        vault = TokenVault(app.extensions["tracuu.store"])
        stored = vault.get("zalo", values["ZALO_APP_ID"])
        assert (stored.access_token, stored.refresh_token) == (zalo.access_token, zalo.refresh_token)
    finally:
        zalo.stop()


def test_workers_refresh_a_token_about_to_expire_before_it_does(database_file_url, redis_url, twilio, zalo,
                                                                 workers):
    values = settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url, **zalo_settings(zalo.url))
    app = build_app(values)
    tokens = app.extensions["tracuu.alerts"].zalo_tokens
    first = tokens.access_token()
    assert zalo.refreshes == 1
    # Make the stored token one that expires within the refresh margin.
    from lookup.store.schema import provider_tokens

    with app.extensions["tracuu.store"].begin() as conn:
        conn.execute(provider_tokens.update().values(expires_at=app.extensions["tracuu.service"].clock()
                                                     + timedelta(minutes=30)))
    workers(values).start(2)
    wait_until(lambda: zalo.refreshes == 2, what="the housekeeping refresh")
    # Zalo answers the refresh before the worker has stored what it got: wait for the store.
    wait_until(lambda: tokens.state().access_token == zalo.access_token, what="the new token stored")
    assert tokens.state().access_token != first and zalo.refreshes == 2


def test_zalo_pacing_is_shared_by_all_workers(database_file_url, redis_url, twilio, zalo, workers):
    values = settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url,
                      **zalo_settings(zalo.url, ZALO_RATE_PER_SECOND=4))
    app = build_app(values)
    app.extensions["tracuu.alerts"].zalo_tokens.access_token()
    dossiers = Dossiers(app)
    for _ in range(12):
        dossiers.event(dossiers.new(), "ready")
    workers(values).start(3)
    wait_until(lambda: all_done(app), what="all sent")
    moments = sorted(z.at for z in zalo.sent())
    assert len(moments) == 12 and twilio.sent() == []
    # 12 ZNS at 4 a second from 3 workers spread over at least 11 gaps of 0.25 s (a lower bound
    # only: a loaded machine can bunch sends, nothing can make paced ones come sooner).
    assert moments[-1] - moments[0] >= timedelta(seconds=2.5)


def test_the_worker_refuses_to_start_with_zalo_and_no_app(tmp_path):
    values = settings(f"sqlite:///{tmp_path / 'a.db'}", "redis://127.0.0.1:1/0",
                      **zalo_settings("http://127.0.0.1:9", ZALO_APP_ID=""))
    result = build_app(values).test_cli_runner().invoke(args=["alerts-worker", "--burst"])
    assert result.exit_code != 0
    assert "cannot send alerts" in result.output and "ZALO_APP_ID" in result.output


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("ALERT_CHANNELS", "zalo,fax", "unknown fax"),
    ("ALERT_CHANNELS", "", "ALERT_CHANNELS is empty"),
    ("ZALO_TEMPLATES", "ready", "'ready' is not name=template_id"),
    ("ZALO_TEMPLATES", "ready.fr=1", "language must be one of vi, en"),
    ("ZALO_TEMPLATES", "weather=1", "unknown alert 'weather'"),
])
def test_settings_that_cannot_be_read_stop_the_app_with_the_reason(tmp_path, setting, value, says):
    values = settings(f"sqlite:///{tmp_path / 'a.db'}", "redis://127.0.0.1:1/0", **{setting: value})
    with pytest.raises(ValueError, match=says):
        build_app(values)
