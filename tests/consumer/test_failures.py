"""Failures: a poison message reaches the DLQ after the delivery limit; an unreadable one at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from items_events.config import ConsumerConfig
from items_events.single_object import MAGIC
from tests.consumer.broker import TestBroker
from tests.consumer.consumer_thread import running
from tests.consumer.counting_consumer import Behaviour, counting_engine, counting_runner, tally
from tests.consumer.item_events import messages, new_item
from tests.waiting import wait_until

pytestmark = pytest.mark.rabbitmq

NORMAL = 30


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    database = counting_engine(f"sqlite:///{tmp_path / 'counting.db'}")
    yield database
    database.dispose()


def x_death(properties: object) -> dict[str, object]:
    headers = getattr(properties, "headers", None) or {}
    (death,) = headers["x-death"]
    return dict(death)


def test_a_poison_message_is_dead_lettered_after_the_delivery_limit_while_others_flow(
    broker: TestBroker, consumer_config: ConsumerConfig, engine: Engine
) -> None:
    poison = new_item(sku="POISON")
    others = [new_item(quantity=1) for _ in range(NORMAL)]
    broker.publish(consumer_config.exchange, messages(poison) + [m for item in others for m in messages(item)])
    behaviour = Behaviour(poison_skus=frozenset({"POISON"}))

    with running(counting_runner(consumer_config, engine, behaviour)):
        wait_until(lambda: broker.depth(consumer_config.dead_letter_queue) == 1, "the poison message dead-lettered")
        wait_until(lambda: tally(engine).rows == NORMAL, "every other message applied")

    # Delivered once, then redelivered up to the limit: the broker counts returns.
    assert 1 < behaviour.deliveries("POISON") <= consumer_config.delivery_limit + 1
    ((properties, _body),) = broker.take_all(consumer_config.dead_letter_queue)
    assert x_death(properties)["reason"] == "delivery_limit"
    assert properties.headers["ce-subject"] == str(poison.id)
    assert broker.depth(consumer_config.queue) == 0
    assert tally(engine).rows == NORMAL


def test_an_unreadable_body_or_unknown_schema_is_dead_lettered_at_once(
    broker: TestBroker, consumer_config: ConsumerConfig, engine: Engine
) -> None:
    good = messages(new_item())[0]
    unreadable = {
        "garbage": b"not avro at all",
        "unknown-fingerprint": MAGIC + bytes(8) + good.payload[10:],
        "truncated": good.payload[:-3],
    }
    for name, body in unreadable.items():
        broker.publish_raw(consumer_config.exchange, "item.created", body, {"ce-id": name}, name)
    others = [new_item(quantity=2) for _ in range(5)]
    broker.publish(consumer_config.exchange, [m for item in others for m in messages(item)])
    behaviour = Behaviour()

    with running(counting_runner(consumer_config, engine, behaviour)):
        wait_until(lambda: broker.depth(consumer_config.dead_letter_queue) == 3, "unreadable messages dead-lettered")
        wait_until(lambda: tally(engine).rows == 5, "the readable messages applied")

    dead = broker.take_all(consumer_config.dead_letter_queue)
    assert sorted(properties.message_id for properties, _ in dead) == sorted(unreadable)
    assert all(x_death(properties)["reason"] == "rejected" for properties, _ in dead)
    assert all(x_death(properties)["count"] == 1 for properties, _ in dead)  # no retry
    assert {sku for sku, _ in behaviour.attempts} == {item.sku for item in others}  # handlers never saw them
