"""A steady write load straight through the service's provider, remembering every acknowledged write."""

from __future__ import annotations

import threading
import time
from collections import Counter

from settings import Settings
from tests.integration.outbox_writes import OutboxWrites, item_fields

STOP_TIMEOUT_S = 30.0


class SteadyWrites:
    """Creates items one by one through the service's provider until stopped; remembers what was acknowledged."""

    def __init__(self, settings: Settings, prefix: str = "HA") -> None:
        self._writes = OutboxWrites(settings)
        self._prefix = prefix
        self._stop = threading.Event()
        self.acknowledged: list[tuple[float, str]] = []
        self.errors: Counter[str] = Counter()
        self._thread = threading.Thread(target=self._run, name="steady-writes")

    def __enter__(self) -> SteadyWrites:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(STOP_TIMEOUT_S)
        self._writes.close()

    def acknowledged_since(self, moment: float) -> list[str]:
        return [sku for at, sku in self.acknowledged if at > moment]

    def _run(self) -> None:
        number = 0
        while not self._stop.is_set():
            number += 1
            sku = f"{self._prefix}-{number}"
            try:
                self._writes.create(item_fields(sku))
            except Exception as exc:  # counted by type: what a client of the service would see fail
                self.errors[type(exc).__name__] += 1
                self._stop.wait(0.05)
            else:
                self.acknowledged.append((time.monotonic(), sku))
