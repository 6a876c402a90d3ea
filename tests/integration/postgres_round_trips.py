"""Counts the round trips clients make to PostgreSQL, from the bytes they send through a proxy.

Each round trip of the wire protocol ends with a Sync (`S`, after Parse/Bind/Execute) or is a
simple Query (`Q`, e.g. psycopg's own BEGIN and COMMIT), so their count is what waits on the server.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable

_UNTYPED_REQUESTS = {80877102, 80877103, 80877104}  # cancel, SSL and GSSAPI encryption requests
_ROUND_TRIP_ENDS = {ord("Q"), ord("S")}


class RoundTrips:
    """A `TcpProxy` tap: the round trips of every connection through the proxy, since `reset()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def reset(self) -> None:
        with self._lock:
            self._count = 0

    def connection(self) -> Callable[[bytes], None]:
        """What reads one connection's client-to-server stream."""
        buffer = bytearray()
        started = False

        def seen(chunk: bytes) -> None:
            nonlocal started
            buffer.extend(chunk)
            while True:
                if not started:  # length-prefixed messages without a type byte, up to StartupMessage
                    if len(buffer) < 8:
                        return
                    length, code = struct.unpack("!ii", buffer[:8])
                    started = code not in _UNTYPED_REQUESTS
                    del buffer[:length]
                    continue
                if len(buffer) < 5:
                    return
                kind, length = buffer[0], struct.unpack("!i", buffer[1:5])[0]
                if len(buffer) < 1 + length:
                    return
                del buffer[: 1 + length]
                if kind in _ROUND_TRIP_ENDS:
                    with self._lock:
                        self._count += 1

        return seen
