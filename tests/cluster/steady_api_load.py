"""A steady write load through the API, running until stopped, so that failures can come at any moment of it."""

from __future__ import annotations

import itertools
import json
import random
import threading
import time

import httpx

from tests.integration.api_server import ApiServer
from tests.integration.outbox_writes import item_fields
from tests.scale.spread_write_load import MERGE_PATCH, SpreadWriteLoad

CREATE_EVERY = 4
"""One write in four creates an item; the others patch one created earlier."""


class SteadyWriteLoad(SpreadWriteLoad):
    """`clients` clients, each sending one write every `clients / rate_per_s` seconds, until `stop()`.

    The answers are counted as in `SpreadWriteLoad`; a client that falls behind sends at
    once, never in a burst to catch up. `time_limit_s` bounds it if a test never stops it.
    """

    def __init__(self, api: ApiServer, rate_per_s: float, clients: int, time_limit_s: float) -> None:
        super().__init__([api], items=0, patches_per_item=0, clients=clients, time_limit_s=time_limit_s)
        self._api = api
        self._period_s = clients / rate_per_s
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()
        self.join()

    def _run(self, client_number: int) -> None:
        choose = random.Random(client_number)
        with httpx.Client(base_url=self._api.base_url, headers=self._api.headers, timeout=10) as client:
            due = time.monotonic()
            for number in itertools.count():
                if self._stopped.wait(max(0.0, due - time.monotonic())) or time.monotonic() > self._deadline:
                    return
                due = max(due + self._period_s, time.monotonic())
                with self._lock:
                    item_id = choose.choice(self._created) if self._created and number % CREATE_EVERY else None
                    body = json.dumps({"quantity": next(self._quantities)})
                if item_id is None:
                    self._send(client, "POST", "/v1/items", json=item_fields(f"STEADY-{client_number}-{number}"))
                else:
                    self._send(client, "PATCH", f"/v1/items/{item_id}", content=body, headers=MERGE_PATCH)
