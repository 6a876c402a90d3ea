"""PostgreSQL leadership: a session advisory lock on a dedicated connection that also LISTENs.

The lock lives exactly as long as the session: if this connection drops, the server
releases the lock and another relay may take over, so the relay must stop publishing
at once. The same connection LISTENs on the outbox channel, so its socket turns
readable both when a write commits and when the session dies; the relay watches it
on the ioloop and learns of either within one loop iteration. A periodic `verify()`
covers what the socket cannot show (a silent network partition), bounded by TCP
keepalives.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import Engine

from adapters.outbox_writer import NOTIFY_CHANNEL
from relay.leadership import LeadershipLost

log = logging.getLogger(__name__)

RELAY_LOCK_KEY = 0x6974656D7352656C  # "itemsRel": any constant works if every relay uses it
APPLICATION_NAME_PREFIX = "items-relay:"
"""The lock connection's `application_name` ends with the relay's pid, to find the leader."""

# Notice a dead peer in seconds, not in the kernel's default two hours.
_KEEPALIVE = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10000,
    "connect_timeout": 5,
}


def lock_connection_factory(engine: Engine) -> Callable[[], psycopg.Connection[Any]]:
    """Connects with the engine's own URL translation (every host of a multi-host URL), outside its pool.

    Always to a server that accepts writes: a hot standby grants the advisory lock and
    accepts LISTEN too, so a relay whose lock session reached one would lead next to the
    real leader, and publish rows that the primary never hears were sent.
    """
    _args, parameters = engine.dialect.create_connect_args(engine.url)
    parameters = {"target_session_attrs": "read-write", **parameters, **_KEEPALIVE}

    def connect() -> psycopg.Connection[Any]:
        application_name = f"{APPLICATION_NAME_PREFIX}{os.getpid()}"
        return psycopg.connect(**parameters, application_name=application_name, autocommit=True)

    return connect


class PostgresLeadership:
    """`pg_try_advisory_lock(RELAY_LOCK_KEY)` held by one session per database."""

    def __init__(self, connect: Callable[[], psycopg.Connection[Any]], lock_key: int = RELAY_LOCK_KEY) -> None:
        self._connect = connect
        self._lock_key = lock_key
        self._connection: psycopg.Connection[Any] | None = None
        self._held = False

    def try_acquire(self) -> bool:
        if self._held:
            return True
        try:
            if self._connection is None:
                self._connection = self._connect()
            row = self._connection.execute("SELECT pg_try_advisory_lock(%s)", (self._lock_key,)).fetchone()
            if not (row and row[0]):
                return False
            self._connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg.Error as exc:
            log.warning("cannot reach PostgreSQL to take the relay lock: %s", exc)
            self.release()
            return False
        self._held = True
        return True

    def wakeup_fd(self) -> int | None:
        return self._connection.fileno() if self._connection is not None else None

    def drain_wakeups(self) -> None:
        self._guard(lambda connection: sum(1 for _ in connection.notifies(timeout=0)))

    def verify(self) -> None:
        self._guard(lambda connection: connection.execute("SELECT 1"))

    def release(self) -> None:
        connection, self._connection, self._held = self._connection, None, False
        if connection is not None:
            connection.close()

    def _guard(self, use: Callable[[psycopg.Connection[Any]], object]) -> None:
        if not self._held or self._connection is None:
            raise LeadershipLost("the relay lock is not held")
        try:
            use(self._connection)
        except psycopg.Error as exc:
            # Closing is left to release(): the relay first stops watching the socket.
            self._held = False
            raise LeadershipLost(f"the relay lock connection failed: {exc}") from exc
