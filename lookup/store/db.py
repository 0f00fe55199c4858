"""Engine and connections. SQLite by default (a file under var/), PostgreSQL by URL."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

from lookup.store.schema import metadata

DEFAULT_WRITE_TIMEOUT = 5.0
# Execution option: how long this connection's write transaction may wait for the lock.
_WRITE_TIMEOUT = "tracuu_write_timeout"


class Busy(Exception):
    """The database did not let us write within the timeout (another writer holds the lock).
    Nothing of the transaction was written; trying again later may work."""


P = ParamSpec("P")
T = TypeVar("T")
# Long enough for a database restart (about a second) to be over; short enough for a citizen.
RETRY_PAUSE_SECONDS = 1.0


def retry_read_once(read: Callable[P, T]) -> Callable[P, T]:
    """For a read: when the database dropped or refused the connection (a restart, a
    failover), wait a moment and read once more on a fresh connection. Only for work that is
    safe to do twice. The second failure is raised to the caller (the web answers 503)."""

    @functools.wraps(read)
    def once_more(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return read(*args, **kwargs)
        except DBAPIError as error:
            if not connection_lost(error):
                raise
            time.sleep(RETRY_PAUSE_SECONDS)
            return read(*args, **kwargs)

    return once_more


def connection_lost(error: BaseException) -> bool:
    """The database dropped or refused the connection (a restart, a failover, a host gone),
    as opposed to something wrong with what was asked."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError) or not type(error.orig).__module__.startswith("psycopg"):
        return False  # SQLite's are about the file or the schema: a second try mends nothing
    # No SQLSTATE: the connection could not be made or was cut. 08: connection exceptions;
    # 57P01-57P03: the server shutting down or starting up. (Not lock or statement timeouts.)
    state = getattr(error.orig, "sqlstate", None) or ""
    return not state or state.startswith(("08", "57P"))


class Store:
    """One database. `begin()` gives a connection inside a transaction that commits on exit."""

    def __init__(self, url: str, *, echo: bool = False, write_timeout: float = DEFAULT_WRITE_TIMEOUT) -> None:
        self.url = url
        self.write_timeout = write_timeout
        self.engine = _make_engine(url, echo=echo, write_timeout=write_timeout)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self, timeout: float | None = None) -> Iterator[Connection]:
        """A write transaction that waits at most `timeout` seconds (default: the store's) for
        the database's write lock, then raises Busy, rolled back."""
        seconds = self.write_timeout if timeout is None else timeout
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{_WRITE_TIMEOUT: seconds})
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(seconds * 1000))}")
                    yield conn
        except OperationalError as error:
            if _is_busy(error):
                raise Busy(f"the database stayed locked for {seconds:g} s") from error
            raise

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads; nothing it does is committed."""
        with self.engine.connect() as conn:
            yield conn

    def create_all(self) -> None:
        """Tables straight from the schema; tests use it, deployments use Alembic."""
        metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def _create_private(path: Path) -> None:
    """The database file, created 0600 (SQLite gives its -wal and -shm files the same mode)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _is_busy(error: OperationalError) -> bool:
    """SQLite's lock wait ran out, or PostgreSQL's lock_timeout (55P03) did."""
    if getattr(error.orig, "sqlstate", None) == "55P03":
        return True
    return "database is locked" in str(error.orig) or "database table is locked" in str(error.orig)


def _make_engine(url: str, *, echo: bool, write_timeout: float = DEFAULT_WRITE_TIMEOUT) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pool_pre_ping: a pooled connection the server closed (a restart) is replaced at checkout.
        # connect_timeout: a database host that is gone fails a request in seconds, not minutes.
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20,
                             connect_args={"connect_timeout": 5})
    database = parsed.database or ""
    if database and database != ":memory:":
        _create_private(Path(database))
        engine = create_engine(url, echo=echo,
                               connect_args={"check_same_thread": False, "timeout": write_timeout})
        _immediate_writes(engine, write_timeout)
    else:
        # One shared in-memory database for every thread of a test.
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False}, poolclass=StaticPool
        )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _immediate_writes(engine: Engine, default_timeout: float) -> None:
    """Write transactions (Store.begin) take SQLite's write lock at BEGIN, waiting at most
    their timeout for it; reads begin as usual and never wait for writers (WAL).

    With pysqlite's own deferred BEGIN a write first reads, then asks for the lock: if another
    writer committed meanwhile, SQLite refuses at once (SQLITE_BUSY_SNAPSHOT) instead of waiting.
    (SQLAlchemy's documented recipe: the driver leaves transactions to us.)
    """

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_conn, _record):  # pragma: no cover - every test
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no cover - every test
        options = conn.get_execution_options()
        timeout = options.get(_WRITE_TIMEOUT)
        wait_ms = int(1000 * (default_timeout if timeout is None else timeout))
        if conn.info.get("busy_ms") != wait_ms:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait_ms}")
            conn.info["busy_ms"] = wait_ms
        conn.exec_driver_sql("BEGIN IMMEDIATE" if timeout is not None else "BEGIN")
