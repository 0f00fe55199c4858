"""/healthz, /readyz and /metrics: what an operator's tools read."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from prometheus_client.parser import text_string_to_metric_families

import config as settings
from app import create_app
from lookup import demo as demo_data
from tests.conftest import make_app
from tests.support.servers import free_port

READY = "000.00.04.H40-261102-0001"
TOKEN = "s3cret-metrics-token"


@pytest.fixture
def live_app(tmp_path, redis_server):
    app = make_app(f"sqlite:///{tmp_path / 'h.db'}", redis_url=redis_server.url, METRICS_TOKEN=TOKEN)
    demo_data.load(app.extensions["tracuu.service"])
    yield app
    app.extensions["tracuu.store"].dispose()


def samples(body: bytes) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def lookups(client, channel: str, outcome: str) -> float:
    body = client.get("/metrics").data
    return samples(body)[("tracuu_lookups_total", (("channel", channel), ("outcome", outcome)))]


def test_healthz_answers_while_the_process_serves(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_200_when_database_and_redis_answer(live_app):
    response = live_app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"database": "ok", "redis": "ok"}


def test_readyz_names_redis_when_it_does_not_answer(app):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"database": "ok", "redis": "down"}


def test_readyz_names_the_database_when_it_does_not_answer(redis_server):
    config = settings.TestConfig()
    config.DATABASE_URL = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"
    config.REDIS_URL = redis_server.url
    response = create_app(config).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"database": "down", "redis": "ok"}


def test_metrics_count_lookups_by_channel_and_outcome(live_app, api_key_for_live):
    client = live_app.test_client()
    before = {outcome: lookups(client, "web", outcome) for outcome in ("found", "not_found", "invalid")}
    client.post("/tra-cuu", data={"code": READY})
    client.post("/tra-cuu", data={"code": "000.00.04.H40-261102-9999"})
    client.post("/tra-cuu", data={"code": "1.000948.H38"})
    for outcome in before:
        assert lookups(client, "web", outcome) == before[outcome] + 1, outcome

    api_found = lookups(client, "api", "found")
    client.get("/api/v1/lookup", query_string={"code": READY})
    assert lookups(client, "api", "found") == api_found + 1

    sms_found = lookups(client, "sms", "found")
    query = f"secret=test-kannel-secret&from=84912000001&to=8077&text={quote('tc ' + READY)}"
    assert client.get(f"/sms/kannel?{query}").status_code == 200
    assert lookups(client, "sms", "found") == sms_found + 1


def test_metrics_count_ingest_requests_by_outcome(live_app, api_key_for_live):
    client = live_app.test_client()

    def ingest(outcome: str) -> float:
        return samples(client.get("/metrics").data).get(
            ("tracuu_ingest_requests_total", (("outcome", outcome),)), 0.0)

    ok, unauthorized, rejected = ingest("ok"), ingest("unauthorized"), ingest("rejected")
    headers = {"Authorization": f"Bearer {api_key_for_live}"}
    client.put("/api/v1/agencies/000.00.04.H40", json={"name_vi": "UBND"}, headers=headers)
    client.put("/api/v1/agencies/000.00.04.H40", json={"name_vi": "UBND"})
    client.put("/api/v1/agencies/000.00.04.H40", data="{", content_type="application/json", headers=headers)
    assert (ingest("ok"), ingest("unauthorized"), ingest("rejected")) == (ok + 1, unauthorized + 1,
                                                                          rejected + 1)


def test_metrics_show_the_alert_queue_depth(live_app):
    body = live_app.test_client().get("/metrics").data
    assert ("tracuu_alert_queue_depth", ()) in samples(body)


@pytest.mark.parametrize("remote, headers, allowed", [
    ("127.0.0.1", {}, True),
    ("::1", {}, True),
    ("203.0.113.7", {}, False),
    ("203.0.113.7", {"Authorization": f"Bearer {TOKEN}"}, True),
    ("203.0.113.7", {"Authorization": "Bearer wrong"}, False),
    ("203.0.113.7", {"Authorization": f"Basic {TOKEN}"}, False),
    # Through a proxy on this machine the peer is loopback, but the reader is not.
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}, False),
])
def test_metrics_only_for_this_machine_or_with_the_token(live_app, remote, headers, allowed):
    client = live_app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote
    response = client.get("/metrics", headers=headers)
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert response.mimetype == "text/plain"
        assert b"tracuu_lookups_total" in response.data


def test_without_a_token_configured_only_this_machine_reads_metrics(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403


@pytest.fixture
def api_key_for_live(live_app) -> str:
    return live_app.extensions["tracuu.service"].create_api_key("000.00.04.H40", "tests")


def test_metrics_count_pin_locked_lookups(tmp_path, redis_server):
    app = make_app(f"sqlite:///{tmp_path / 'p.db'}", redis_url=redis_server.url, PIN_FAILURES_PER_DOSSIER=2)
    demo_data.load(app.extensions["tracuu.service"])
    client = app.test_client()
    web, api = lookups(client, "web", "pin_locked"), lookups(client, "api", "pin_locked")
    for _ in range(3):
        client.post("/tra-cuu", data={"code": READY, "pin": "000000"})
    client.get("/api/v1/lookup", query_string={"code": READY, "pin": "000000"})
    assert lookups(client, "web", "pin_locked") > web
    assert lookups(client, "api", "pin_locked") == api + 1
    app.extensions["tracuu.store"].dispose()
