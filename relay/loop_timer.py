"""A callback that is pending at most once on the pika ioloop; repeated requests coalesce."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol


class TimerLoop(Protocol):
    """The part of pika's IOLoop that timers use."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Any: ...

    def remove_timeout(self, timeout_handle: Any) -> None: ...


class LoopTimer:
    """Schedules `callback` on the loop; asking again while pending moves it earlier, never later."""

    def __init__(self, loop: TimerLoop, callback: Callable[[], None]) -> None:
        self._loop = loop
        self._callback = callback
        self._handle: Any = None
        self._due = 0.0

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def schedule(self, delay: float = 0.0) -> None:
        due = time.monotonic() + delay
        if self._handle is not None:
            if due >= self._due:
                return
            self._loop.remove_timeout(self._handle)
        self._due = due
        self._handle = self._loop.call_later(delay, self._fire)

    def cancel(self) -> None:
        if self._handle is not None:
            self._loop.remove_timeout(self._handle)
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        self._callback()
