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
        self._paused = False

    @property
    def paused(self) -> bool:
        return self._paused

    def watch(self, fd: int | None) -> None:
        self.forget()
        if fd is not None:
            # The loop watches a duplicate of its own: the driver may close the original
            # when the session dies, and the loop must still be able to unregister it.
            self._fd = os.dup(fd)
            self._loop.add_handler(self._fd, lambda _fd, _events: self._on_readable(), IOLoop.READ)

    def pause(self) -> None:
        """Stop calling `on_readable` (the data stays unread) until `resume()`."""
        if self._fd is not None and not self._paused:
            self._loop.update_handler(self._fd, 0)
            self._paused = True

    def resume(self) -> None:
        if self._fd is not None and self._paused:
            self._loop.update_handler(self._fd, IOLoop.READ)
        self._paused = False

    def forget(self) -> None:
        if self._fd is not None:
            self._loop.remove_handler(self._fd)
            os.close(self._fd)
            self._fd = None
        self._paused = False
