"""Watches a foreign socket (the LISTEN connection) on the pika ioloop, safely across its death."""

from __future__ import annotations

import os
from collections.abc import Callable

from pika.adapters.select_connection import IOLoop


class DescriptorWatch:
    """Calls `on_readable` whenever the watched descriptor has data (or has hung up)."""

    def __init__(self, loop: IOLoop, on_readable: Callable[[], None]) -> None:
        self._loop = loop
        self._on_readable = on_readable
        self._fd: int | None = None

    def watch(self, fd: int | None) -> None:
        self.forget()
        if fd is not None:
            # The loop watches a duplicate of its own: the driver may close the original
            # when the session dies, and the loop must still be able to unregister it.
            self._fd = os.dup(fd)
            self._loop.add_handler(self._fd, lambda _fd, _events: self._on_readable(), IOLoop.READ)

    def forget(self) -> None:
        if self._fd is not None:
            self._loop.remove_handler(self._fd)
            os.close(self._fd)
            self._fd = None
