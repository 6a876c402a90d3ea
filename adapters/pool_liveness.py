"""Keeps dead PostgreSQL connections out of requests without a round trip on every checkout.

`pool_pre_ping` would double a GET's round trips. Instead, at checkout:
- a connection whose socket is readable while idle has heard from the server, which only speaks
  unasked to say goodbye (a restart, a terminated backend) or by closing: it is replaced;
- a connection idle for longer than a threshold is pinged, since a silent peer (a dropped NAT
  entry, a failed-over address) shows nothing on the socket.
A connection that fails mid-request still invalidates the pool (SQLAlchemy's disconnect handling).
"""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError, InvalidatePoolError

_IDLE_SINCE = "items_idle_since"


def watch_pool_liveness(engine: Engine, ping_after_idle_s: float) -> None:
    """Check each connection as it leaves the pool; a DisconnectionError makes the pool reconnect."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None:  # a new connection, just made
            return
        if _server_spoke(dbapi_connection):
            # Usually a restart, which took every pooled connection with it.
            raise InvalidatePoolError("the server closed or is closing this connection")
        if time.monotonic() - idle_since > ping_after_idle_s:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as exc:
                raise DisconnectionError(f"an idle connection did not answer: {type(exc).__name__}") from exc


def _server_spoke(dbapi_connection: Any) -> bool:
    """Whether the idle socket has something to read (an error message, or end of file)."""
    if dbapi_connection.closed:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
