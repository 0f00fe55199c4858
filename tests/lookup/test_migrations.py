"""Alembic's migrations build exactly the schema the code declares, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from lookup.store import migrate
from lookup.store.schema import metadata


def test_migrations_match_the_schema(database_url):
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)  # running it again is harmless
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []
