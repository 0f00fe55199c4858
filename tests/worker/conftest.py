"""Fixtures for the alert tests: a clean private Redis, a SQLite file, fake providers, workers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from tests.support.fake_zalo import FakeZalo
from tests.worker.fakes import FakeKannel, SlowTwilio
from tests.worker.support import Workers, settings


@pytest.fixture
def redis_url(redis_server) -> str:
    Redis.from_url(redis_server.url).flushall()
    return redis_server.url


@pytest.fixture
def database_file_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'alerts.db'}"


@pytest.fixture
def twilio() -> Iterator[SlowTwilio]:
    fake = SlowTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def kannel() -> Iterator[FakeKannel]:
    fake = FakeKannel().start()
    yield fake
    fake.stop()


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    fake = FakeZalo().start()
    yield fake
    fake.stop()


@pytest.fixture
def values(database_file_url, redis_url, twilio) -> dict:
    return settings(database_file_url, redis_url, TWILIO_API_URL=twilio.url)


@pytest.fixture
def workers(tmp_path) -> Iterator:
    made: list[Workers] = []

    def make(values: dict) -> Workers:
        workdir = tmp_path / f"workers{len(made)}"
        workdir.mkdir()
        group = Workers(values, workdir)
        made.append(group)
        return group

    yield make
    for group in made:
        group.stop()
