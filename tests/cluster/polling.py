"""Bounded polling for the failover harness: retry until a deadline, then raise the last error."""

from __future__ import annotations

from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

POLL_S = 0.25


def poll(
    timeout_s: float,
    retry_on: type[BaseException] | tuple[type[BaseException], ...] = Exception,
    every_s: float = POLL_S,
) -> Retrying:
    """`for attempt in poll(...): with attempt: ...` retries on `retry_on` every `every_s` until `timeout_s`."""
    return Retrying(
        stop=stop_after_delay(timeout_s),
        wait=wait_fixed(every_s),
        retry=retry_if_exception_type(retry_on),
        reraise=True,
    )
