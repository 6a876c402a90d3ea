"""Runs a consumer on a thread of the test process, and waits for what it should do."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from consumer import ConsumerRunner

STOP_TIMEOUT_S = 20


@contextmanager
def running(runner: ConsumerRunner) -> Iterator[ConsumerRunner]:
    """The runner on a thread; stopped, and checked stopped without a crash, on exit."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            runner.run()
        except BaseException as exc:  # reported to the test below, not lost in the thread
            failures.append(exc)

    thread = threading.Thread(target=run, name="consumer", daemon=True)
    thread.start()
    try:
        yield runner
    finally:
        runner.stop()
        thread.join(STOP_TIMEOUT_S)
    assert not thread.is_alive(), "the consumer did not stop"
    assert not failures, f"the consumer crashed: {failures[0]!r}"


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
