"""Creates and patches of a set of items from a few client threads, spread over several API servers."""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

import httpx

from tests.integration.api_server import ApiServer
from tests.integration.outbox_writes import item_fields

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
WRITTEN = {"POST": 201, "PATCH": 200}


class SpreadWriteLoad:
    """Each client creates its share of `items`, then patches items picked at random from all created so far.

    A client sends its requests to the servers in turn, so every item is written through every
    server, and two clients sometimes patch the same item at once through different servers.
    The load ends after `items * (1 + patches_per_item)` requests or at `time_limit_s`.
    """

    def __init__(
        self, servers: Sequence[ApiServer], items: int, patches_per_item: int, clients: int, time_limit_s: float
    ) -> None:
        self._servers = servers
        self._items = items
        self._patches_per_client = items * patches_per_item // clients
        self._clients = clients
        self._time_limit_s = time_limit_s
        self._deadline = 0.0
        self._lock = threading.Lock()
        self._quantities = itertools.count(1)
        self._created: list[str] = []
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(clients)]
        self.outcomes: Counter[str] = Counter()
        """`"<method> <status>"`, or `"<method> broken"` when no answer came."""
        self.acknowledged: set[tuple[str, int]] = set()
        """(item id, version) of every successful write, as its answer said."""
        self.acknowledged_at: list[tuple[float, float]] = []
        """(sent, answered) of each successful write, in seconds since the epoch."""

    @property
    def answered(self) -> int:
        return sum(self.outcomes.values())

    @property
    def finished(self) -> bool:
        return not any(thread.is_alive() for thread in self._threads)

    @property
    def planned(self) -> int:
        return self._items + self._patches_per_client * self._clients

    def start(self) -> None:
        self._deadline = time.monotonic() + self._time_limit_s
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(self._time_limit_s + 15)

    def _run(self, client_number: int) -> None:
        choose = random.Random(client_number)
        with ExitStack() as stack:
            clients = [
                stack.enter_context(httpx.Client(base_url=server.base_url, headers=server.headers, timeout=10))
                for server in self._servers
            ]
            turns = itertools.cycle(clients[client_number % len(clients) :] + clients[: client_number % len(clients)])
            for number in range(client_number, self._items, self._clients):
                self._send(next(turns), "POST", "/v1/items", json=item_fields(f"SCALE-{number}"))
            for _ in range(self._patches_per_client):
                with self._lock:
                    if not self._created:
                        return
                    item_id = choose.choice(self._created)
                    body = json.dumps({"quantity": next(self._quantities)})
                self._send(next(turns), "PATCH", f"/v1/items/{item_id}", content=body, headers=MERGE_PATCH)

    def _send(self, client: httpx.Client, method: str, path: str, **request: Any) -> None:
        if time.monotonic() > self._deadline:
            return
        sent = time.time()
        try:
            response = client.request(method, path, **request)
        except httpx.HTTPError:
            with self._lock:
                self.outcomes[f"{method} broken"] += 1
            return
        with self._lock:
            self.outcomes[f"{method} {response.status_code}"] += 1
            if response.status_code == WRITTEN[method]:
                self.acknowledged_at.append((sent, time.time()))
                body = response.json()
                self.acknowledged.add((body["id"], int(body["version"])))
                if method == "POST":
                    self._created.append(body["id"])
