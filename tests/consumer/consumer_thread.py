"""Runs a consumer on a thread of the test process, and waits for what it should do."""

from __future__ import annotations

from contextlib import AbstractContextManager

from items_events import ConsumerRunner
from tests.background import in_background


def running(runner: ConsumerRunner) -> AbstractContextManager[ConsumerRunner]:
    """The runner on a thread; stopped, and checked stopped without a crash, on exit."""
    return in_background(runner, "consumer")


