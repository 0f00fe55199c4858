"""Fixtures for the hotline: an app with dossiers to call about, a shared prompt cache, a fake
Asterisk, a private redis-server for the calls' states, and our adapter logged in to it."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from channels.ivr import build_driver, prompt_store
from channels.ivr.asterisk import AsteriskAdapter
from channels.ivr.call_state import CallStates
from lookup import codes
from lookup import demo as demo_data
from lookup.ingest import EventFields, dossier_fields
from redis_connections import connect
from tests.conftest import AGENCY, make_app
from tests.support.fake_ami import FakeAsterisk

OPERATOR = "+842438580000"
STATUSES = ("received", "processing", "supplement_requested", "fee_due", "ready", "returned",
            "not_accepted", "stopped", "registered", "withdrawn")
CROWD = 25


def crowd_code(n: int) -> str:
    return f"{AGENCY}-261120-{n:04d}"


def keypad(code: str) -> str:
    return codes.parse(code).keypad


@pytest.fixture(scope="session")
def audio_dir() -> Iterator[Path]:
    """One prompt cache for the session: the same words are rendered once. Outside pytest's
    private temporary tree, where a switch running as its own user could read it, as
    production needs (the adapter checks at start-up)."""
    directory = Path(tempfile.mkdtemp(prefix="tracuu-audio-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def ivr_app(tmp_path, audio_dir, redis_server):
    app = make_app(f"sqlite:///{tmp_path / 'tracuu.db'}", redis_server.url, IVR_AUDIO_DIR=audio_dir,
                   IVR_OPERATOR_NUMBER=OPERATOR)
    demo_data.load(app.extensions["tracuu.service"])
    yield app
    app.extensions["tracuu.store"].dispose()


@pytest.fixture
def crowd(ivr_app):
    """CROWD more dossiers, each with its own phone, status and due date."""
    service = ivr_app.extensions["tracuu.service"]
    now = service.clock()
    for n in range(1, CROWD + 1):
        status = STATUSES[n % len(STATUSES)]
        service.put_dossier(dossier_fields(crowd_code(n), {
            "agency_id": AGENCY, "procedure_name": "Cấp giấy khai sinh", "applicant_name": "Nguyễn Văn An",
            "applicant_phone": f"09120{n:05d}", "received_at": (now - timedelta(days=3)).isoformat(),
            "due_at": (now + timedelta(days=n)).isoformat(), "status": "received",
        }), AGENCY)
        if status != "received":
            event = EventFields(status, now - timedelta(hours=1), "", None, "")
            service.add_event(crowd_code(n), event, AGENCY)
    return [crowd_code(n) for n in range(1, CROWD + 1)]


@pytest.fixture
def fake():
    server = FakeAsterisk(queue_delay=0.0, login_failure_delay=0.05).start()
    yield server
    server.stop()


_switches = itertools.count(1)


def call_states(app, prefix: str | None = None) -> CallStates:
    """The calls' states in the tests' redis-server, under a prefix of their own: the fake
    numbers its channels from 1 in every test."""
    return CallStates(connect(app.config, timeout=2.0, connect_timeout=2.0),
                      prefix or f"test-ivr-{next(_switches)}:", ttl=600)


def start_adapter(app, fake: FakeAsterisk, **options) -> AsteriskAdapter:
    driver = build_driver(app)
    states = options.pop("states", None) or call_states(app)
    values = {"keepalive": 5.0, "timeout": 2.0, "backoff": (0.05, 0.2), **options}
    adapter = AsteriskAdapter(driver, prompt_store(app), "127.0.0.1", fake.port,
                              options.pop("username", "ivr"), options.pop("secret", "ivrsecret"),
                              **{k: v for k, v in values.items() if k not in ("username", "secret")},
                              states=states, clock=driver.clock)
    return adapter.start()


@pytest.fixture
def adapter(ivr_app, fake):
    adapter = start_adapter(ivr_app, fake)
    assert adapter.connected.wait(5)
    yield adapter
    adapter.stop()


def wait_for(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
