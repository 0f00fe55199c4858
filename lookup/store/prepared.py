"""The lookups' own queries, run straight on the driver's cursor.

A lookup is one indexed SELECT that the database answers in tens of microseconds; through
SQLAlchemy's Connection.execute it cost about ten times that in Python (execution context,
events, result metadata, Row objects), the largest part of a result page. A PreparedRead is
compiled once per dialect, at first use, into its SQL text, its parameters' order and the same
result processors SQLAlchemy would apply (a Timestamp comes back aware in UTC on both
databases); a read then takes a pooled connection, runs the text and converts the rows.

It keeps what callers rely on: no transaction around the read (PostgreSQL reads in autocommit,
as the lookup did before), and a driver error is raised as SQLAlchemy's DBAPIError with the pool told
when the connection was lost, so `retry_read_once` works unchanged. Only for SELECTs.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError


@dataclass
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # parameter names in order, for positional drivers
    row: type
    # By column: SQLAlchemy's result processor for the driver's type code (some drivers' need
    # it: PostgreSQL's numerics), known after the first execution. None until then.
    processors: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None


class PreparedRead:
    """A SELECT with named bind parameters, run on the driver (see the module's docstring)."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def all(self, engine: Engine, **params: Any) -> list[Any]:
        """Every row, as named tuples whose fields are the statement's column labels."""
        dialect = engine.dialect
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _compile(self.statement, dialect)
        arguments = (tuple(params[name] for name in compiled.positions)
                     if compiled.positions is not None else params)
        found, description = _run(engine, compiled.sql, arguments)
        processors = compiled.processors
        if processors is None:
            processors = compiled.processors = _processors(self.statement, dialect, description)
        row = compiled.row
        if not processors:
            return [row._make(values) for values in found]
        converted = []
        for found_row in found:
            values = list(found_row)
            for i, processor in processors:
                values[i] = processor(values[i])
            converted.append(row._make(values))
        return converted

    def first(self, engine: Engine, **params: Any) -> Any | None:
        found = self.all(engine, **params)
        return found[0] if found else None


def _compile(statement: Select, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    positions = tuple(compiled.positiontup or ()) if dialect.positional else None
    row = namedtuple("Row", statement.selected_columns.keys())  # type: ignore[misc]
    return _Compiled(str(compiled), positions, row)


def _processors(statement: Select, dialect: Dialect,
                description: Sequence[Sequence[Any]]) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    found = []
    for i, (column, described) in enumerate(zip(statement.selected_columns, description, strict=True)):
        processor = column.type.dialect_impl(dialect).result_processor(dialect, described[1])
        if processor is not None:
            found.append((i, processor))
    return tuple(found)


def _run(engine: Engine, sql: str, arguments: Any) -> tuple[list[Any], Any]:
    dialect = engine.dialect
    try:
        connection = engine.raw_connection()
    except dialect.loaded_dbapi.Error as error:  # the database is not there (a restart)
        lost = dialect.is_disconnect(error, None, None)
        raise DBAPIError.instance(None, None, error, dialect.loaded_dbapi.Error,
                                  connection_invalidated=lost, dialect=dialect) from error
    # PostgreSQL: autocommit for the read, so psycopg sends no BEGIN and the pool no ROLLBACK.
    autocommit = dialect.name == "postgresql"
    cursor = None
    try:
        if autocommit:
            connection.driver_connection.autocommit = True
        cursor = connection.cursor()
        cursor.execute(sql, arguments)
        found, description = cursor.fetchall(), cursor.description
        cursor.close()
        if autocommit:
            connection.driver_connection.autocommit = False
        return found, description
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, connection.dbapi_connection, cursor)
        # Lost, or left in autocommit by the failure: the pool must not hand it out again.
        if lost or autocommit:
            connection.invalidate(error)
        raise DBAPIError.instance(sql, arguments, error, dialect.loaded_dbapi.Error,
                                  connection_invalidated=lost, dialect=dialect) from error
    finally:
        connection.close()
