"""`kill -9` of an API worker under write load: every item has its event, every event has its item."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from adapters.items_repository import items
from adapters.tables import outbox
from settings import Settings
from tests.integration.api_server import ApiServer
from tests.integration.delivery_checks import assert_complete_and_ordered
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites, item_fields
from tests.integration.relay_runner import RelayProcess
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.slow]

CLIENTS = 8
LOAD_AFTER_KILL_S = 1.5


class WriteLoad:
    """Concurrent POSTs until stopped; remembers each answer (a killed worker breaks some)."""

    def __init__(self, api: ApiServer) -> None:
        self._api = api
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.outcomes: Counter[int | str] = Counter()
        self.created: set[str] = set()
        self._threads = [threading.Thread(target=self._post, args=(n,), daemon=True) for n in range(CLIENTS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _post(self, client_number: int) -> None:
        with httpx.Client(base_url=self._api.base_url, headers=self._api.headers, timeout=10) as client:
            for number in range(1_000_000):
                if self._stop.is_set():
                    return
                try:
                    response = client.post("/v1/items", json=item_fields(f"LOAD-{client_number}-{number}"))
                except httpx.HTTPError:
                    with self._lock:
                        self.outcomes["broken"] += 1
                    continue
                with self._lock:
                    self.outcomes[response.status_code] += 1
                    if response.status_code == 201:
                        self.created.add(response.json()["id"])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_killing_an_api_worker_under_load_leaves_no_write_without_its_event(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, tmp_path: Path
) -> None:
    with ApiServer(relay_settings, tmp_path / "api.log") as api:
        relay = RelayProcess(relay_settings, tmp_path / "relay.log")
        try:
            load = WriteLoad(api)
            load.start()
            wait_until(lambda: load.outcomes[201] >= 50, "50 writes under load", interval_s=0.02)
            os.kill(api.worker_pids()[0], signal.SIGKILL)
            time.sleep(LOAD_AFTER_KILL_S)
            load.stop()
            with writes.engine.connect() as connection:
                item_ids = {str(i) for i in connection.execute(select(items.c.id)).scalars()}
                created_rows = connection.execute(
                    select(outbox.c.aggregate_id, outbox.c.event_id).where(outbox.c.event_type == "ItemCreated")
                ).all()
            event_ids = {str(row.event_id) for row in created_rows}
            assert load.created <= item_ids, "a 201 answer without its item"
            assert {str(row.aggregate_id) for row in created_rows} == item_ids, "an item without its event row"
            received = events.wait_for_ids(event_ids, timeout_s=60)
        finally:
            assert relay.terminate() == 0
    assert_complete_and_ordered(events.settle(), writes.event_ids())
    assert {event.headers["ce-subject"] for event in received} == item_ids
    assert load.outcomes[201] > 50, load.outcomes
