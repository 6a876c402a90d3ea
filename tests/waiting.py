"""Waiting in tests for something another process or thread does: polled with tenacity, always bounded."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

T = TypeVar("T")


def wait_until(condition: Callable[[], T], what: str, timeout_s: float = 20, interval_s: float = 0.05) -> T:
    """Poll `condition` until it returns something truthy, and return that; fail the test after `timeout_s`."""
    retrying = Retrying(
        stop=stop_after_delay(timeout_s),
        wait=wait_fixed(interval_s),
        retry=retry_if_result(lambda result: not result),
    )
    try:
        return retrying(condition)
    except RetryError:
        raise AssertionError(f"timed out after {timeout_s} s waiting for {what}") from None
