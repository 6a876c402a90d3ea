"""Runs a consumer on a thread of the test process, and waits for what it should do."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from consumer import ConsumerRunner
from tests.background import in_background


def running(runner: ConsumerRunner) -> AbstractContextManager[ConsumerRunner]:
    """The runner on a thread; stopped, and checked stopped without a crash, on exit."""
    return in_background(runner, "consumer")


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
