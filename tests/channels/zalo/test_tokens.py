"""The OA access token: fetched with the seeded refresh token, refreshed by exactly one process
when several want it at once (on SQLite and PostgreSQL), kept across restarts, never printed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from channels.zalo import build_tokens
from channels.zalo.tokens import REFRESH_AHEAD, TokenUnavailable
from lookup.store import Store
from lookup.store.schema import provider_tokens
from tests.conftest import NOW, make_app
from tests.support import fake_zalo
from tests.support.fake_zalo import FakeZalo


@pytest.fixture
def zalo():
    fake = FakeZalo().start()
    yield fake
    fake.stop()


def zalo_config(zalo: FakeZalo, **overrides) -> dict:
    return {"ZALO_APP_ID": fake_zalo.APP_ID, "ZALO_APP_SECRET": fake_zalo.APP_SECRET,
            "ZALO_OAUTH_URL": zalo.url, "ZALO_REFRESH_TOKEN": fake_zalo.FIRST_REFRESH_TOKEN, **overrides}


def keeper(database_url: str, zalo: FakeZalo, clock=lambda: NOW, **overrides):
    """A token keeper of its own, on its own connection pool: as one worker process has."""
    return build_tokens(zalo_config(zalo, **overrides), Store(database_url), clock)


def test_the_seeded_refresh_token_fetches_the_first_access_token(database_url, zalo):
    app = make_app(database_url)
    tokens = keeper(database_url, zalo)
    assert tokens.access_token() == zalo.access_token
    assert tokens.access_token() == zalo.access_token  # held, not fetched again
    assert (zalo.refresh_attempts, zalo.refreshes) == (1, 1)
    state = tokens.state()
    assert state.refresh_token == zalo.refresh_token != fake_zalo.FIRST_REFRESH_TOKEN
    assert state.expires_at == NOW + timedelta(seconds=90000)
    app.extensions["tracuu.store"].dispose()


def test_two_processes_at_once_make_one_refresh(database_url):
    zalo = FakeZalo(refresh_delay=0.3).start()  # long enough for both to arrive while it runs
    app = make_app(database_url)
    try:
        first, second = keeper(database_url, zalo), keeper(database_url, zalo)
        first.state(), second.state()  # both seeded already
        start = threading.Barrier(2)
        got: dict[str, str] = {}

        def want(name, tokens):
            start.wait()
            got[name] = tokens.access_token()

        threads = [threading.Thread(target=want, args=(n, t)) for n, t in (("a", first), ("b", second))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert (zalo.refresh_attempts, zalo.refreshes) == (1, 1)
        assert got == {"a": zalo.access_token, "b": zalo.access_token}
    finally:
        zalo.stop()
        app.extensions["tracuu.store"].dispose()


def test_tokens_survive_a_restart(database_url, zalo):
    app = make_app(database_url)
    before = keeper(database_url, zalo).access_token()
    after = keeper(database_url, zalo).access_token()  # a new process: same database, same token
    assert before == after and zalo.refreshes == 1
    app.extensions["tracuu.store"].dispose()


def test_a_token_near_its_expiry_is_refreshed_early(database_url, zalo):
    app = make_app(database_url)
    now = [NOW]
    tokens = keeper(database_url, zalo, clock=lambda: now[0])
    first = tokens.access_token()
    now[0] = NOW + timedelta(seconds=90000) - REFRESH_AHEAD + timedelta(minutes=1)
    second = tokens.access_token()
    assert first != second == zalo.access_token and zalo.refreshes == 2
    app.extensions["tracuu.store"].dispose()


def test_a_rejected_token_is_refreshed_once(database_url, zalo):
    app = make_app(database_url)
    tokens = keeper(database_url, zalo)
    first = tokens.access_token()
    zalo.expire_access_token()
    assert tokens.access_token(rejected=first) == zalo.access_token != first
    # Another process that saw the same rejection finds the new token instead of refreshing again.
    assert keeper(database_url, zalo).access_token(rejected=first) == zalo.access_token
    assert zalo.refreshes == 2
    app.extensions["tracuu.store"].dispose()


def test_a_refused_refresh_token_says_so_and_is_not_hammered(database_url, zalo):
    app = make_app(database_url)
    zalo.set_refresh_token("another-grant")
    tokens = keeper(database_url, zalo)
    with pytest.raises(TokenUnavailable, match="refused the refresh token: -14014 Invalid refresh token"):
        tokens.access_token()
    with pytest.raises(TokenUnavailable, match="the last refresh failed"):
        tokens.access_token()
    assert zalo.refresh_attempts == 1
    assert "Invalid refresh token" in tokens.state().last_error
    # The operator sets ZALO_REFRESH_TOKEN to a new grant: it replaces the dead one.
    renewed = keeper(database_url, zalo, ZALO_REFRESH_TOKEN="another-grant")
    assert renewed.access_token() == zalo.access_token and zalo.refreshes == 1
    assert renewed.state().last_error == ""
    app.extensions["tracuu.store"].dispose()


def test_the_same_seed_again_does_not_undo_rotated_tokens(database_url, zalo):
    app = make_app(database_url)
    keeper(database_url, zalo).access_token()
    restarted = keeper(database_url, zalo)  # ZALO_REFRESH_TOKEN still holds the first, used grant
    assert restarted.state().refresh_token == zalo.refresh_token != fake_zalo.FIRST_REFRESH_TOKEN
    app.extensions["tracuu.store"].dispose()


def test_without_settings_there_is_no_token(database_url, zalo):
    app = make_app(database_url)
    with pytest.raises(ValueError, match="ZALO_APP_ID"):
        keeper(database_url, zalo, ZALO_APP_ID="")
    with pytest.raises(TokenUnavailable, match="ZALO_REFRESH_TOKEN"):
        keeper(database_url, zalo, ZALO_REFRESH_TOKEN="").access_token()
    app.extensions["tracuu.store"].dispose()


def test_the_command_says_when_it_expires_and_never_prints_a_token(tmp_path, zalo):
    app = make_app(f"sqlite:///{tmp_path / 't.db'}", **zalo_config(zalo))
    runner = app.test_cli_runner()
    fresh = runner.invoke(args=["zalo-token"])
    assert fresh.exit_code == 0, fresh.output
    assert "access token: none yet" in fresh.output
    refreshed = runner.invoke(args=["zalo-token", "--refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert "access token: valid until 2026-11-21 11:00 Vietnam time (in 25 h 00 min)" in refreshed.output
    assert "last refreshed: 2026-11-20 10:00 Vietnam time, 1 refreshes so far" in refreshed.output
    with app.extensions["tracuu.store"].connect() as conn:
        row = conn.execute(provider_tokens.select()).one()
    for output in (fresh.output, refreshed.output):
        for secret in (row.access_token, row.refresh_token, fake_zalo.FIRST_REFRESH_TOKEN,
                       fake_zalo.APP_SECRET):
            assert secret not in output
    zalo.set_refresh_token("someone-else")
    with app.extensions["tracuu.store"].begin() as conn:
        conn.execute(provider_tokens.update().values(expires_at=NOW - timedelta(minutes=1)))
    dead = runner.invoke(args=["zalo-token", "--refresh"])
    assert dead.exit_code == 1 and "Zalo refused the refresh token" in dead.output
    app.extensions["tracuu.store"].dispose()
