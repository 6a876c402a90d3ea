"""An open-loop load generator: `POST /v1/items` on a fixed schedule, whatever the server's response times.

Request i is due at `start + i / rate`. A pool of threads, each with its own keep-alive
connection, takes the next due request, sleeps until its time and sends it; a slow
response delays only its own thread, so the schedule holds as long as a thread is free
(`late` records how far behind a send was). Times are `time.perf_counter()`, the
system-wide monotonic clock, so they compare with the test consumer's.
"""

from __future__ import annotations

import http.client
import itertools
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from entrypoints.progress_meter import ProgressMeter

POST_PATH = "/v1/items"
START_DELAY_S = 0.2


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request: when it was due and sent, when its response arrived, the status and the item id."""

    due: float
    sent: float
    arrived: float
    status: int
    item_id: str | None

    @property
    def late_s(self) -> float:
        return self.sent - self.due

    @property
    def response_s(self) -> float:
        return self.arrived - self.sent


def item_body(sku_prefix: str, number: int) -> bytes:
    """A valid new item with a unique sku, shaped like the wrk POST script's."""
    return json.dumps({
        "sku": f"{sku_prefix}{number}",
        "name": f"Bench item {number}",
        "description": "Created under load",
        "price": {"amount_minor": 100 + number % 9900, "currency": "EUR"},
        "quantity": number % 50,
        "tags": ["bench", "load"],
    }).encode()  # fmt: skip


def post_at_rate(base_url: str, rate_per_s: float, duration_s: float, threads: int) -> list[Exchange]:
    """Send `rate_per_s * duration_s` POSTs on schedule; every exchange, in due order."""
    address = urlsplit(base_url)
    total = round(rate_per_s * duration_s)
    prefix = f"OL{secrets.token_hex(4).upper()}-"
    tickets = itertools.count()  # next() on a count is atomic under the GIL
    start = time.perf_counter() + START_DELAY_S
    exchanges: list[Exchange] = []
    progress = ProgressMeter(total, sys.stdout, unit="POSTs", every=max(1, total // 10))

    def sender() -> None:
        connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
        try:
            while (number := next(tickets)) < total:
                due = start + number / rate_per_s
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                exchanges.append(_post(connection, due, item_body(prefix, number)))
                progress.advance()
        finally:
            connection.close()

    pool = [threading.Thread(target=sender, name=f"open-loop-{index}") for index in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    progress.close()
    return sorted(exchanges, key=lambda exchange: exchange.due)


def _post(connection: http.client.HTTPConnection, due: float, body: bytes) -> Exchange:
    sent = time.perf_counter()
    try:
        connection.request("POST", POST_PATH, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        arrived = time.perf_counter()
        response.read()
    except (OSError, http.client.HTTPException):
        connection.close()  # reconnects on the next request
        return Exchange(due, sent, time.perf_counter(), 0, None)
    location = response.getheader("Location") or ""
    item_id = location.rsplit("/", 1)[-1] if response.status == 201 and location else None
    return Exchange(due, sent, arrived, response.status, item_id)
