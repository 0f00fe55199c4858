"""Timestamps read back from SQLite (lookup.store.schema.Timestamp): aware, in UTC, whatever
form of text the file holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from lookup.store.schema import Timestamp

MOMENT = datetime(2026, 11, 30, 3, 4, 5, 123456, tzinfo=UTC)


@pytest.mark.parametrize(("stored", "read"), [
    ("2026-11-30 03:04:05.123456", MOMENT),  # as Timestamp writes it
    ("2026-11-30 03:04:05", MOMENT.replace(microsecond=0)),
    ("2026-11-30T03:04:05.123456", MOMENT),
    ("2026-11-30 10:04:05.123456+07:00", MOMENT),  # with a zone: turned to UTC
    ("2026-11-30T03:04:05.123456Z", MOMENT),
    ("2026-11-30", datetime(2026, 11, 30, tzinfo=UTC)),  # a date alone: its midnight in UTC
    (None, None),
])
def test_sqlite_text_reads_as_an_aware_moment_in_utc(stored, read):
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", Timestamp()))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (id, at) VALUES (1, :at)"), {"at": stored})
        found = conn.execute(select(table.c.at)).scalar_one()
    assert found == read
    assert found is None or found.tzinfo is UTC


def test_what_is_written_reads_back_the_same():
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", Timestamp()))
    table.metadata.create_all(engine)
    written = MOMENT.astimezone(timezone(timedelta(hours=7)))
    with engine.begin() as conn:
        conn.execute(insert(table).values(id=1, at=written))
        assert conn.execute(select(table.c.at)).scalar_one() == MOMENT
