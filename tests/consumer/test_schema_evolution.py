"""Schema evolution both ways: old readers decode new events, and new readers decode retained old ones."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from adapters.tables import outbox
from entrypoints.replay import main as replay
from examples.catalog_projection.catalog_service import READER_SCHEMAS_DIR
from items_events import ConsumerConfig
from items_events.schemas import RegisteredSchema
from settings import Settings
from tests.consumer.broker import TestBroker
from tests.consumer.catalog_harness import catalog, catalog_settings, summary, versions
from tests.consumer.consumer_thread import handled_events, running
from tests.consumer.item_events import ITEM_EVENTS, messages_written_by, new_item, released, update
from tests.events import registry
from tests.integration.relay_runner import relay_thread
from tests.waiting import wait_until

pytestmark = pytest.mark.rabbitmq

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
def settings(settings: Settings, amqp_url: str, consumer_config: ConsumerConfig) -> Settings:
    """The service's settings, publishing to (and replaying on) the test's broker objects."""
    return settings.with_changes({"amqp_url": amqp_url, "events_exchange": consumer_config.exchange})


def state_fields(schema: RegisteredSchema) -> set[str]:
    return {field["name"] for field in schema.document["fields"][0]["type"]["fields"]}


def test_the_projection_with_its_v1_reader_schemas_decodes_events_written_with_category_id(
    client: Any, settings: Settings, engine: Engine, broker: TestBroker, consumer_config: ConsumerConfig, tmp_path: Path
) -> None:
    for event_type in ITEM_EVENTS:  # the projection really holds the first released schemas
        reader = RegisteredSchema.from_file(READER_SCHEMAS_DIR / f"{event_type}.avsc")
        assert reader.fingerprint == released(event_type, 1).fingerprint and "category_id" not in state_fields(reader)
        assert "category_id" in state_fields(registry().writer(event_type))

    category_id = client.post("/v1/categories", json={"name": "Kitchen"}).json()["id"]
    price = {"amount_minor": 500, "currency": "EUR"}
    mug = client.post("/v1/items", json={"sku": "MUG", "name": "Mug", "price": price, "quantity": 4,
                                         "tags": ["kitchen"], "category_id": category_id}).json()  # fmt: skip
    bowl = client.post("/v1/items", json={"sku": "BOWL", "name": "Bowl", "price": price, "quantity": 2,
                                          "tags": ["kitchen"], "category_id": category_id}).json()  # fmt: skip
    patched = client.patch(f"/v1/items/{mug['id']}", json={"quantity": 7}, headers=MERGE_PATCH)
    assert patched.status_code == 200 and patched.json()["category_id"] == category_id
    assert client.delete(f"/v1/items/{bowl['id']}").status_code == 204
    with engine.connect() as connection:
        fingerprints = set(connection.execute(select(outbox.c.schema_fingerprint)).scalars())
    assert {registry().writer(name).fingerprint_hex for name in ITEM_EVENTS} <= fingerprints  # the new writers

    projection = catalog_settings(consumer_config, f"sqlite:///{tmp_path / 'catalog.db'}")
    service = catalog(projection)
    try:
        with relay_thread(settings), running(service.runner):
            expected = {mug["id"]: (2, False), bowl["id"]: (2, True)}
            wait_until(lambda: versions(service) == expected, "both items projected at their last version", 30)
    finally:
        service.engine.dispose()
    state = summary(projection)
    assert (state.live_items, state.deleted_items, state.stock_by_tag) == (1, 1, {"kitchen": 7})
    assert broker.depth(consumer_config.dead_letter_queue) == 0


def retain(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Rows in the outbox as the relay leaves them: published, kept for replay."""
    with engine.begin() as connection:
        connection.execute(insert(outbox), [{**row, "published_at": datetime.now(UTC)} for row in rows])


def test_a_consumer_with_the_current_readers_decodes_replayed_events_of_the_v1_writers(
    settings: Settings, engine: Engine, broker: TestBroker, consumer_config: ConsumerConfig, tmp_path: Path
) -> None:
    mug = new_item(quantity=4, tags=["kitchen"])
    update(mug, quantity=6)
    mug.delete(mug.updated_at)
    old_messages = messages_written_by(mug, version=1)
    assert all("category_id" not in state_fields(released(name, 1)) for name in ITEM_EVENTS)
    retain(engine, [message.as_row() for message in old_messages])

    out = io.StringIO()
    assert replay(["--queue", consumer_config.queue], settings=settings, out=out) == 0, out.getvalue()
    assert "replayed 3 events" in out.getvalue()

    readers = {name: registry().writer(name).parsed for name in ITEM_EVENTS}  # what a consumer built today holds
    seen = handled_events(consumer_config, readers, 3, tmp_path)

    assert [event.event_id for event in seen] == [str(message.event_id) for message in old_messages]
    assert [event.headers["ce-dataschema"].rsplit("/", 1)[1] for event in seen] == [
        released(name, 1).fingerprint_hex for name in ITEM_EVENTS
    ]
    states = [event.record["item"] for event in seen]
    assert all(state["category_id"] is None for state in states)
    assert [(state["id"], state["version"], state["quantity"]) for state in states] == [
        (mug.id, 1, 4),
        (mug.id, 2, 6),
        (mug.id, 3, 6),
    ]
    assert broker.depth(consumer_config.queue) == 0 and broker.depth(consumer_config.dead_letter_queue) == 0
