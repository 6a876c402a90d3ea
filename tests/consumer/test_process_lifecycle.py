"""A real consumer process: killed with -9 mid-batch and restarted, or stopped with SIGTERM; nothing lost or doubled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from items_events.config import ConsumerConfig
from tests.consumer.broker import TestBroker
from tests.consumer.consumer_process import counting_process
from tests.consumer.counting_consumer import counting_engine, tally
from tests.consumer.item_events import messages, new_item
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.slow]

EVENTS = 2000


@pytest.fixture
def engine(postgres_catalog_url: str) -> Iterator[Engine]:
    database = counting_engine(postgres_catalog_url)
    yield database
    database.dispose()


@pytest.fixture
def expected_quantity(broker: TestBroker, consumer_config: ConsumerConfig) -> int:
    """Pre-fills the queue with EVENTS creations of distinct quantities; returns their total."""
    items = [new_item(quantity=index % 97 + 1) for index in range(EVENTS)]
    broker.publish(consumer_config.exchange, [message for item in items for message in messages(item)])
    broker.wait_for_depth(consumer_config.queue, EVENTS)
    return sum(item.quantity for item in items)


def test_kill_9_mid_batch_then_restart_loses_nothing_and_doubles_nothing(
    broker: TestBroker,
    consumer_config: ConsumerConfig,
    engine: Engine,
    postgres_catalog_url: str,
    expected_quantity: int,
    tmp_path: Path,
) -> None:
    log = tmp_path / "consumer.log"
    # Slow acks: the kill most likely lands after a batch's commit and before its ack.
    with counting_process(consumer_config, postgres_catalog_url, log, ack_delay_s=0.05) as first:
        wait_until(lambda: tally(engine).rows >= EVENTS // 8, "an eighth applied", timeout_s=60)
        first.kill()
    applied_before_restart = tally(engine).rows
    assert applied_before_restart < EVENTS, "the kill came too late to test anything"

    with counting_process(consumer_config, postgres_catalog_url, log) as second:
        wait_until(lambda: tally(engine).distinct_events == EVENTS, "every event applied", timeout_s=60)
        wait_until(lambda: broker.depth(consumer_config.queue) == 0, "the queue drained")
        assert second.terminate() == 0, second.log()

    final = tally(engine)
    assert final.rows == EVENTS, f"{final.rows - EVENTS} events applied twice"
    assert final.quantity == expected_quantity
    assert broker.depth(consumer_config.queue) == 0 and broker.depth(consumer_config.dead_letter_queue) == 0


def test_sigterm_stops_cleanly_and_requeues_what_it_did_not_apply(
    broker: TestBroker,
    consumer_config: ConsumerConfig,
    engine: Engine,
    postgres_catalog_url: str,
    expected_quantity: int,
    tmp_path: Path,
) -> None:
    log = tmp_path / "consumer.log"
    with counting_process(consumer_config, postgres_catalog_url, log, delay_s=0.001) as process:
        wait_until(lambda: tally(engine).rows >= EVENTS // 10, "a tenth applied", timeout_s=60)
        assert process.terminate() == 0, process.log()

    applied = tally(engine).rows
    assert applied < EVENTS, "the stop came too late to test anything"
    # Everything the process took is either applied (and acked) or back in the queue, not both.
    assert applied + broker.depth(consumer_config.queue) == EVENTS
    assert "consumer stopped" in log.read_text(encoding="utf-8")

    with counting_process(consumer_config, postgres_catalog_url, log) as again:
        wait_until(lambda: tally(engine).distinct_events == EVENTS, "every event applied", timeout_s=60)
        assert again.terminate() == 0, again.log()
    final = tally(engine)
    assert (final.rows, final.quantity) == (EVENTS, expected_quantity)
