"""The example projection: creates, updates and deletes applied; duplicates and stale versions ignored."""

from __future__ import annotations

import pytest

from eventing.outbox_message import OutboxMessage
from items_events.config import ConsumerConfig
from tests.consumer.broker import TestBroker
from tests.consumer.catalog_harness import catalog, catalog_settings, summary, versions
from tests.consumer.consumer_thread import running
from tests.consumer.item_events import messages, new_item, update
from tests.waiting import wait_until

pytestmark = pytest.mark.rabbitmq


def project(broker: TestBroker, config: ConsumerConfig, database_url: str, published: list[OutboxMessage]) -> None:
    """Publish, then run the projection until everything published is settled, and stop it.

    A last event for an item without tags or stock marks the end: the queue delivers in
    order and batches are settled in order, so once it is applied all before it are too.
    """
    end = new_item(quantity=0, tags=[])
    broker.publish(config.exchange, [*published, *messages(end)])
    settings = catalog_settings(config, database_url)
    service = catalog(settings)
    try:
        with running(service.runner):
            wait_until(lambda: str(end.id) in versions(service), "the last event applied")
    finally:
        service.engine.dispose()
    assert broker.depth(config.queue) == 0 and broker.depth(config.dead_letter_queue) == 0


def test_creates_updates_and_deletes_are_projected(
    broker: TestBroker, consumer_config: ConsumerConfig, catalog_url: str
) -> None:
    mug = new_item(quantity=5, tags=["kitchen", "blue"])
    update(mug, quantity=7, tags=["kitchen"])
    vase = new_item(quantity=3, tags=["blue"])
    vase.delete(vase.updated_at)
    rake = new_item(quantity=2, tags=["garden"])
    published = messages(mug) + messages(vase) + messages(rake)

    project(broker, consumer_config, catalog_url, published)

    state = summary(catalog_settings(consumer_config, catalog_url))
    assert (state.live_items, state.deleted_items) == (2 + 1, 1)  # + the end marker
    assert state.stock_by_tag == {"garden": 2, "kitchen": 7}


def test_a_redelivered_event_is_not_applied_twice(
    broker: TestBroker, consumer_config: ConsumerConfig, sqlite_catalog_url: str
) -> None:
    mug = new_item(quantity=5, tags=["kitchen"])
    update(mug, quantity=9)
    created, updated = messages(mug)
    # The same messages again, as the relay resends one the broker had not confirmed.
    project(broker, consumer_config, sqlite_catalog_url, [created, updated, updated, created, updated])

    state = summary(catalog_settings(consumer_config, sqlite_catalog_url))
    assert state.processed_events == 2 + 1 and state.stock_by_tag == {"kitchen": 9}


def test_an_older_version_after_a_newer_one_is_ignored(
    broker: TestBroker, consumer_config: ConsumerConfig, catalog_url: str
) -> None:
    mug = new_item(quantity=1, tags=["kitchen"])
    update(mug, quantity=2, tags=["kitchen", "blue"])
    update(mug, quantity=3, tags=["blue"])
    vase = new_item(quantity=4, tags=["blue"])
    vase.delete(vase.updated_at)
    mug_v1, mug_v2, mug_v3 = messages(mug)
    vase_created, vase_deleted = messages(vase)
    # Out of order: newest first; the delete overtakes the creation.
    published = [mug_v3, vase_deleted, mug_v1, vase_created, mug_v2]

    project(broker, consumer_config, catalog_url, published)

    settings = catalog_settings(consumer_config, catalog_url)
    state = summary(settings)
    assert state.stock_by_tag == {"blue": 3}
    assert (state.live_items, state.deleted_items) == (1 + 1, 1)
    service = catalog(settings)
    try:
        projected = versions(service)
        assert (projected[str(mug.id)], projected[str(vase.id)]) == ((3, False), (2, True))
    finally:
        service.engine.dispose()
