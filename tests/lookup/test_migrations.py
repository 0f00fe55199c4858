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


def test_agency_mergers_migration_keeps_every_row(database_url):
    from alembic import command

    from lookup import demo
    from lookup.service import Service
    from lookup.store import Store

    migrate.upgrade(database_url)
    store = Store(database_url)
    demo.load(Service(store))
    before = _counts(store)
    store.dispose()
    command.downgrade(migrate.alembic_config(database_url), "0002")
    migrate.upgrade(database_url)
    store = Store(database_url)
    assert _counts(store) == before
    assert Service(store).resolve("000.00.04.H40-261102-0001") is not None
    store.dispose()


def _counts(store) -> dict[str, int]:
    from sqlalchemy import func, select

    with store.connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables}
