"""The runner's own deduplication: a redelivered ce-id reaches no handler, in one batch or across batches."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from items_events.config import ConsumerConfig
from items_events.metrics import PROCESSED as CONSUMER_PROCESSED
from items_events.metrics import REDELIVERED as CONSUMER_REDELIVERED
from tests.consumer.broker import TestBroker
from tests.consumer.consumer_thread import running
from tests.consumer.counting_consumer import Behaviour, counting_engine, counting_runner, tally
from tests.consumer.item_events import messages, new_item
from tests.waiting import wait_until

pytestmark = pytest.mark.rabbitmq


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    database = counting_engine(f"sqlite:///{tmp_path / 'counting.db'}")
    yield database
    database.dispose()


def test_a_redelivered_event_is_acked_without_being_applied_again(
    broker: TestBroker, consumer_config: ConsumerConfig, engine: Engine
) -> None:
    events = [message for _ in range(5) for message in messages(new_item(quantity=3))]
    behaviour = Behaviour()
    redelivered_before = CONSUMER_REDELIVERED._value.get()
    with running(counting_runner(consumer_config, engine, behaviour)):
        broker.publish(consumer_config.exchange, events)
        wait_until(lambda: tally(engine).rows == 5, "the first copies applied")
        # Each again, later (another batch), and twice more in a row (the same batch);
        # then a new event: once it is applied, every copy before it has been handled.
        sentinel = messages(new_item(quantity=100))
        broker.publish(consumer_config.exchange, events + events + events + sentinel)
        wait_until(lambda: tally(engine).rows >= 6, "the copies and the new event consumed")

    assert tally(engine).rows == 6 and tally(engine).quantity == 5 * 3 + 100
    assert len(behaviour.attempts) == 6
    assert CONSUMER_REDELIVERED._value.get() - redelivered_before == 15  # the metric counts every copy skipped
    assert broker.depth(consumer_config.queue) == 0 and broker.depth(consumer_config.dead_letter_queue) == 0


def _processed() -> float:
    return sum(sample.value for metric in CONSUMER_PROCESSED.collect() for sample in metric.samples
               if sample.name.endswith("_total"))  # fmt: skip


def test_two_copies_of_a_new_event_in_one_batch_are_applied_and_counted_once(
    broker: TestBroker, consumer_config: ConsumerConfig, engine: Engine
) -> None:
    """A relay that resends after a nack can deliver both copies back to back, before either is applied."""
    items = [messages(new_item(quantity=3)) for _ in range(5)]
    behaviour = Behaviour()
    processed_before, redelivered_before = _processed(), CONSUMER_REDELIVERED._value.get()
    with running(counting_runner(consumer_config, engine, behaviour)):
        broker.publish(consumer_config.exchange, [message for item in items for message in item + item])
        wait_until(lambda: CONSUMER_REDELIVERED._value.get() - redelivered_before >= 5, "every second copy skipped")

    assert tally(engine).rows == 5 and tally(engine).quantity == 5 * 3
    assert len(behaviour.attempts) == 5
    assert _processed() - processed_before == 5  # the metric counts events applied, not copies
    assert CONSUMER_REDELIVERED._value.get() - redelivered_before == 5


def test_a_batch_whose_commit_reply_was_lost_is_applied_and_counted_once(
    broker: TestBroker, consumer_config: ConsumerConfig, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit succeeds on the server and its reply never comes (the primary fails over just then).

    The consumer keeps the batch and retries it: its events are in the ledger by then, applied
    by the commit it could not confirm, so they are counted as processed and not as redeliveries.
    """
    behaviour = Behaviour()
    commit = engine.dialect.do_commit
    replies_lost: list[object] = []

    def commit_then_lose_the_reply(dbapi_connection: object) -> None:
        commit(dbapi_connection)
        if behaviour.attempts and not replies_lost:  # the first commit of a batch that reached the handler
            replies_lost.append(dbapi_connection)
            raise sqlite3.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(engine.dialect, "do_commit", commit_then_lose_the_reply)
    items = [messages(new_item(quantity=2)) for _ in range(3)]
    processed_before, redelivered_before = _processed(), CONSUMER_REDELIVERED._value.get()
    counted = lambda: _processed() - processed_before + CONSUMER_REDELIVERED._value.get() - redelivered_before  # noqa: E731
    with running(counting_runner(consumer_config, engine, behaviour)):
        broker.publish(consumer_config.exchange, [message for item in items for message in item])
        wait_until(lambda: counted() >= 3, "the batch retried after the lost reply")

    assert replies_lost, "no commit reply was lost"
    assert tally(engine).rows == 3 and tally(engine).quantity == 3 * 2  # applied once each
    assert len(behaviour.attempts) == 3  # the retry found them applied and called no handler
    assert _processed() - processed_before == 3
    assert CONSUMER_REDELIVERED._value.get() - redelivered_before == 0
    assert broker.depth(consumer_config.queue) == 0 and broker.depth(consumer_config.dead_letter_queue) == 0
