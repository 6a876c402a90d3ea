"""Engine creation: SQLite in WAL mode for the embedded default, psycopg 3 for PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from adapters.pool_liveness import watch_pool_liveness
from settings import Settings

WRITE = "items_write"
"""Execution option that marks a connection as about to write (SQLite takes the lock up front)."""
AUTOCOMMITS = "items_autocommits"
"""Execution option of an engine whose PostgreSQL connections are all in autocommit."""


def create_database_engine(settings: Settings, statement_timeout_ms: int = 0, autocommit: bool = False) -> Engine:
    """Build the engine; it connects lazily, on first use. `statement_timeout_ms` 0 is no limit.

    `autocommit` puts PostgreSQL connections in autocommit once, when they connect, where a view
    made with `execution_options(isolation_level=...)` sets and resets it at every checkout (about
    20 µs of a request's CPU). `begin()` then opens no transaction: code that needs one sends its
    own BEGIN (`adapters/sql_session.py`) or uses `transactional(engine)`. SQLite ignores it.
    """
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(settings)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {
        "connect_timeout": settings.db_connect_timeout_s,
        # A server that vanishes without closing the connection fails a request within seconds.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": settings.db_connect_timeout_s * 2000,
    }
    if statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_s,
        # The busiest connections are reused first, and only the others sit idle long enough to be pinged.
        pool_use_lifo=True,
        pool_pre_ping=settings.db_pool_pre_ping,
        pool_recycle=settings.db_pool_recycle_s,
        connect_args=connect_args,
        **({"isolation_level": "AUTOCOMMIT", "execution_options": {AUTOCOMMITS: True}} if autocommit else {}),
    )
    if not settings.db_pool_pre_ping:
        watch_pool_liveness(engine, settings.db_pool_ping_idle_s)
    return engine


def transactional(engine: Engine) -> Engine:
    """`engine`, or, if its connections autocommit, a view of its pool whose `begin()` opens a transaction.

    The view sets and resets the level at each checkout: for the users of the pool that are not
    on a request's path (health checks, the outbox backlog, scripts), which can afford it.
    """
    if not engine.get_execution_options().get(AUTOCOMMITS, False):
        return engine
    return engine.execution_options(isolation_level="READ COMMITTED", **{AUTOCOMMITS: False})


def _sqlite_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_s,
        connect_args={"check_same_thread": False},
    )
    busy_timeout = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself, so that writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # BEGIN IMMEDIATE avoids the deadlock of two readers upgrading to writers at once.
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
