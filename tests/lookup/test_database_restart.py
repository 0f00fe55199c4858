"""A database restart costs no citizen a 500: a read whose connection the server dropped or
refused is tried once more after a pause, and a database still down is a 503 to retry."""

from __future__ import annotations

import threading

import pytest

from lookup import demo as demo_data
from tests.conftest import make_app, postgres_bin
from tests.support.servers import PostgresServer

READY = "000.00.04.H40-261102-0001"
pytestmark = pytest.mark.postgres


@pytest.fixture
def restartable():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL binaries not installed")
    server = PostgresServer().start()
    app = make_app(server.create_database("restart"))
    demo_data.load(app.extensions["tracuu.service"])
    yield server, app
    app.extensions["tracuu.store"].dispose()
    server.stop()


def test_a_lookup_while_the_database_restarts_is_answered(restartable):
    server, app = restartable
    client = app.test_client()
    assert client.post("/tra-cuu", data={"code": READY}, follow_redirects=True).status_code == 200
    server.halt()  # every pooled connection is dead now, and new ones are refused
    back = threading.Timer(0.2, server.resume)
    back.start()
    try:
        assert client.post("/tra-cuu", data={"code": READY}, follow_redirects=True).status_code == 200
        assert client.get("/api/v1/lookup", query_string={"code": READY}).status_code == 200
    finally:
        back.join()


def test_a_database_that_stays_down_is_a_503_to_retry_not_a_500(restartable, caplog):
    server, app = restartable
    client = app.test_client()
    server.halt()
    try:
        page = client.post("/tra-cuu", data={"code": READY})
        api = client.get("/api/v1/lookup", query_string={"code": READY})
    finally:
        server.resume()
    assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
    assert api.status_code == 503 and api.json["error"] == "unavailable"
    assert not [r for r in caplog.records if r.exc_info], "no traceback for an outage"
    assert client.post("/tra-cuu", data={"code": READY}, follow_redirects=True).status_code == 200
