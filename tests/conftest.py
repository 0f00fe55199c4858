"""Fixtures shared by every test: the app on SQLite (and PostgreSQL where asked), a private
redis-server, a fixed clock, and an API key for a demo agency."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import create_app
from config import TestConfig
from lookup.clock import fixed
from tests.support.servers import PostgresServer, RedisServer, postgres_bin

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, a Friday
AGENCY = "000.00.04.H40"
OTHER_AGENCY = "000.00.12.H05"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries are missing on CI: make test installs them")
        pytest.skip("PostgreSQL binaries not installed")
    server = PostgresServer().start()
    yield server
    server.stop()


_database_counter = iter(range(10**6))
_app_counter = iter(range(10**6))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path: Path) -> str:
    """Each test that takes this runs once on SQLite and once on a private PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracuu.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"t{next(_database_counter)}")


def make_app(database_url: str, redis_url: str = "redis://127.0.0.1:1/0", **overrides):
    config = TestConfig()
    config.DATABASE_URL = database_url
    config.REDIS_URL = redis_url
    # Tests share one redis-server: each app counts its rate limits under its own prefix.
    config.RATELIMIT_KEY_PREFIX = f"test-{next(_app_counter)}"
    for key, value in overrides.items():
        setattr(config, key, value)
    application = create_app(config, clock=fixed(NOW))
    application.extensions["tracuu.store"].create_all()
    return application


@pytest.fixture
def app(tmp_path: Path):
    application = make_app(f"sqlite:///{tmp_path / 'tracuu.db'}")
    yield application
    application.extensions["tracuu.store"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def service(app):
    return app.extensions["tracuu.service"]


@pytest.fixture
def api_key(service) -> str:
    return service.create_api_key(AGENCY, "tests")


@pytest.fixture
def other_api_key(service) -> str:
    return service.create_api_key(OTHER_AGENCY, "tests")


@pytest.fixture
def demo(service) -> dict[str, tuple[str, str]]:
    """The README's demo data: code -> (pin, status)."""
    from lookup import demo as demo_data

    return {code: (pin, status) for code, pin, status in demo_data.load(service)}
