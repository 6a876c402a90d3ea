"""A logger that says a recurring thing once per interval: an outage fails every attempt, one line says enough."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class ThrottledLog:
    """`warning()` logs at most once per `interval_s`; the lines it holds back are counted in the next one."""

    def __init__(
        self, logger: logging.Logger, interval_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._logger = logger
        self._interval_s = interval_s
        self._clock = clock
        self._quiet_until = float("-inf")
        self._held_back = 0

    def warning(self, message: str, *args: object) -> None:
        now = self._clock()
        if now < self._quiet_until:
            self._held_back += 1
            return
        if self._held_back:
            message = f"{message} ({self._held_back} more like it not logged)"
        self._logger.warning(message, *args)
        self._quiet_until = now + self._interval_s
        self._held_back = 0
