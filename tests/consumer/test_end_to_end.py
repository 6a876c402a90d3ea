"""API write → outbox → relay → RabbitMQ → the example projection, run as its own process."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from connexion import FlaskApp

from examples.catalog_projection.catalog_service import catalog_summary
from items_events.config import ConsumerConfig
from settings import Settings
from tests.consumer.broker import TestBroker
from tests.consumer.catalog_harness import catalog_settings
from tests.consumer.consumer_process import catalog_process
from tests.contract.threaded_server import serving
from tests.integration.relay_runner import relay_thread
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
def settings(settings: Settings, amqp_url: str, consumer_config: ConsumerConfig) -> Settings:
    """The API's settings, publishing to the test's own exchange."""
    return settings.with_changes({"amqp_url": amqp_url, "events_exchange": consumer_config.exchange})


def item(sku: str, quantity: int, tags: list[str]) -> dict[str, Any]:
    price = {"amount_minor": 500, "currency": "EUR"}
    return {"sku": sku, "name": sku.title(), "price": price, "quantity": quantity, "tags": tags}


def test_writes_through_the_api_reach_the_projection(
    client: Any,
    app: FlaskApp,
    settings: Settings,
    broker: TestBroker,
    consumer_config: ConsumerConfig,
    tmp_path: Path,
) -> None:
    ids = []
    for body in (item("mug", 4, ["kitchen", "blue"]), item("vase", 2, ["blue"]), item("rake", 9, ["garden"])):
        created = client.post("/v1/items", json=body)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    mug, vase, _rake = ids
    assert client.patch(f"/v1/items/{mug}", json={"quantity": 6}, headers=MERGE_PATCH).status_code == 200
    assert client.delete(f"/v1/items/{vase}").status_code == 204
    writes = 5

    with serving(app) as base_url:  # the projection fetches the writer schemas from the service, over HTTP
        projection = catalog_settings(consumer_config, f"sqlite:///{tmp_path / 'catalog.db'}", f"{base_url}/v1/schemas")
        with relay_thread(settings), catalog_process(projection, tmp_path / "catalog.log") as process:
            wait_until(lambda: catalog_summary(projection).processed_events == writes, "every write projected", 30)
            assert process.terminate() == 0, process.log()

    live = client.get("/v1/items").json()["items"]
    expected_stock: Counter[str] = Counter()
    for state in live:
        for tag in state["tags"]:
            expected_stock[tag] += state["quantity"]
    state = catalog_summary(projection)
    assert (state.live_items, state.deleted_items) == (len(live), 1) == (2, 1)
    assert state.stock_by_tag == dict(expected_stock) == {"blue": 6, "garden": 9, "kitchen": 6}
    assert broker.depth(consumer_config.queue) == 0 and broker.depth(consumer_config.dead_letter_queue) == 0
