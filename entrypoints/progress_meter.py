"""Progress of a long command: a live tqdm bar on a terminal, a plain line now and then anywhere else."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from tqdm import tqdm

PLAIN_LINE = "  {n_fmt}/{total_fmt}{unit} {verb} ({rate_noinv_fmt}, {remaining} left)"


class ProgressMeter:
    """Counts `done` of `total` (sent, drained...): the count, the rate and the time left.

    On a terminal tqdm redraws one line in place. In a log or CI output, where a redrawn line
    would be noise, a plain line is printed after every `every` items and every `interval_s`
    seconds, whichever comes first, with the same figures (formatted by tqdm too). Threads
    may share one meter.
    """

    def __init__(
        self,
        total: int,
        out: TextIO,
        unit: str = "events",
        verb: str = "sent",
        every: int = 1000,
        interval_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.done = 0
        self._total = total
        self._out = out
        self._unit = unit
        self._verb = verb
        self._every = every
        self._interval_s = interval_s
        self._clock = clock
        self._started = self._last_line = clock()
        self._lock = threading.Lock()
        self._bar = tqdm(total=total, file=out, unit=f" {unit}", desc=verb) if _is_terminal(out) else None

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self.done += count
            if self._bar is not None:
                self._bar.update(count)
                return
            now = self._clock()
            if self.done % self._every < count or now - self._last_line >= self._interval_s:
                self._last_line = now
                print(self.line(now - self._started), file=self._out, flush=True)

    def line(self, elapsed_s: float) -> str:
        bar_format = PLAIN_LINE.replace("{verb}", self._verb)
        line = tqdm.format_meter(self.done, self._total, elapsed_s, unit=f" {self._unit}", bar_format=bar_format)
        return line.replace("( ", "(")  # tqdm pads the rate to a fixed width

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> ProgressMeter:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


def _is_terminal(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())
