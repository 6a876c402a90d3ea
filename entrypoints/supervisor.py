"""Keeps a set of child processes running: one that dies is restarted after a growing delay.

`make run` needs no more than this, so it is not worth a daemon with a configuration file of its
own (supervisord); deployments leave restarts to their orchestrator (docs/deployment.md).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

Log = Callable[[str], None]


def log_to_stderr(line: str) -> None:
    print(f"run: {line}", file=sys.stderr, flush=True)


@dataclass
class Child:
    """One supervised process and its restart state."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started_at: float = 0.0
    quick_exits: int = 0
    restart_at: float = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env)  # noqa: S603 - argv built by run.py
        self.started_at = time.monotonic()


@dataclass(frozen=True)
class RestartPolicy:
    """Delays double with each exit that follows a short run, from `first_delay_s` up to `max_delay_s`."""

    first_delay_s: float = 1.0
    max_delay_s: float = 30.0
    stable_after_s: float = 30.0

    def delay(self, quick_exits: int) -> float:
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(quick_exits - 1, 0))


class Supervisor:
    """Starts every child, restarts the ones that exit, and stops them all when `stop` is set."""

    def __init__(
        self,
        children: Sequence[Child],
        policy: RestartPolicy = RestartPolicy(),
        stop_timeout_s: float = 30.0,
        log: Log = log_to_stderr,
    ) -> None:
        self._children = children
        self._policy = policy
        self._stop_timeout_s = stop_timeout_s
        self._log = log

    def run(self, stop: threading.Event) -> None:
        for child in self._children:
            child.start()
        while not stop.wait(0.2):
            for child in self._children:
                self._tend(child)
        self._stop_all()

    def _tend(self, child: Child) -> None:
        now = time.monotonic()
        if child.process is None:
            if now >= child.restart_at:
                child.start()
            return
        code = child.process.poll()
        if code is None:
            return
        child.quick_exits = child.quick_exits + 1 if now - child.started_at < self._policy.stable_after_s else 1
        delay = self._policy.delay(child.quick_exits)
        self._log(f"{child.name} exited with {code}; restarting it in {delay:.0f} s")
        child.process = None
        child.restart_at = now + delay

    def _stop_all(self) -> None:
        running = [child.process for child in self._children if child.process is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + self._stop_timeout_s
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
