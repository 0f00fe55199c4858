"""The lookups' queries on the driver's cursor (lookup.store.prepared): the same rows as
SQLAlchemy gives, and nothing around the one SELECT."""

from __future__ import annotations

from lookup import codes
from lookup import demo as demo_data
from lookup.store import dossiers as rows
from tests.conftest import make_app

READY = "000.00.04.H40-261102-0001"


def test_the_same_rows_as_sqlalchemy_gives(database_url):
    app = make_app(database_url)
    service = app.extensions["tracuu.service"]
    demo_data.load(service)
    store = app.extensions["tracuu.store"]
    key = codes.parse(READY).match_key
    with store.connect() as conn:
        expected = conn.execute(rows._WITH_EVENTS, {"match_key": key}).all()
    found = rows._LOOKUP_WITH_EVENTS.all(store.engine, match_key=key)
    assert [tuple(row) for row in found] == [tuple(row) for row in expected]
    assert found[0]._fields == tuple(expected[0]._fields)
    assert found[0].received_at.tzinfo is not None  # aware, in UTC, on both databases
    assert rows.look_up(store, "nothing-like-it") is None
    store.dispose()


def test_a_lookup_is_one_statement_and_no_transaction(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'one.db'}")
    service = app.extensions["tracuu.service"]
    demo_data.load(service)
    store = app.extensions["tracuu.store"]
    store.dispose()  # the pool's next connection is the one traced below
    connection = store.engine.raw_connection()
    sent: list[str] = []
    connection.driver_connection.set_trace_callback(sent.append)
    connection.close()  # back to the pool, traced
    sent.clear()
    assert service.resolve(READY) is not None
    assert len(sent) == 1 and sent[0].lstrip().startswith("SELECT"), sent
    store.dispose()
