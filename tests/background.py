"""Running a blocking service (`run()` until `stop()`) on a thread of the test process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

STOP_TIMEOUT_S = 20.0


class Stoppable(Protocol):
    def run(self) -> None: ...

    def stop(self) -> None: ...


ServiceT = TypeVar("ServiceT", bound=Stoppable)


@contextmanager
def in_background(service: ServiceT, name: str, stop_timeout_s: float = STOP_TIMEOUT_S) -> Iterator[ServiceT]:
    """The service on a thread; stopped, and checked stopped without a crash, on exit."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            service.run()
        except BaseException as exc:  # reported to the test below, not lost in the thread
            failures.append(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        service.stop()
        thread.join(stop_timeout_s)
    assert not thread.is_alive(), f"the {name} did not stop"
    assert not failures, f"the {name} crashed: {failures[0]!r}"
