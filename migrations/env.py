"""Alembic environment: the URL comes from lookup.store.migrate, the tables from the schema."""

from alembic import context
from sqlalchemy import create_engine

from lookup.store.schema import metadata

url = context.config.get_main_option("sqlalchemy.url")
connectable = create_engine(url)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
