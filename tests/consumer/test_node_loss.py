"""Given every node of a broker, a consumer moves to the next node when its own goes, and applies each event once.

The "nodes" are TCP proxies to the one shared broker: cutting one resets the consumer's
connection and refuses new ones, as a lost node does.
"""

from __future__ import annotations

import dataclasses
import logging
from contextlib import ExitStack

import pytest

from items_events.config import ConsumerConfig
from tests.consumer.broker import TestBroker
from tests.consumer.catalog_harness import catalog, catalog_settings, summary, versions
from tests.consumer.consumer_thread import running
from tests.consumer.item_events import messages, new_item
from tests.integration.tcp_proxy import TcpProxy
from tests.waiting import wait_until

pytestmark = pytest.mark.rabbitmq


def consuming_on(caplog: pytest.LogCaptureFixture) -> list[int]:
    """The ports of the nodes the consumer said it consumed on, in order."""
    lines = [record.getMessage() for record in caplog.records if record.getMessage().startswith("consuming ")]
    return [int(line.rpartition(":")[2]) for line in lines]


def test_when_its_node_goes_the_consumer_consumes_on_the_next_and_applies_everything_once(
    broker: TestBroker, consumer_config: ConsumerConfig, sqlite_catalog_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="items_events")
    before, after = [new_item(quantity=n) for n in range(1, 21)], [new_item(quantity=n) for n in range(21, 41)]
    with ExitStack() as stack:
        first, second = (stack.enter_context(TcpProxy.for_url(str(consumer_config.amqp_url))) for _ in range(2))
        nodes = tuple(proxy.url_through(str(consumer_config.amqp_url)) for proxy in (first, second))
        settings = catalog_settings(dataclasses.replace(consumer_config, amqp_url=" ".join(nodes)), sqlite_catalog_url)
        service = catalog(settings)
        try:
            with running(service.runner):
                broker.publish(consumer_config.exchange, [message for item in before for message in messages(item)])
                wait_until(lambda: len(versions(service)) == len(before), "the first events applied")
                first.cut()  # stays down: only the other address can serve
                broker.publish(consumer_config.exchange, [message for item in after for message in messages(item)])
                wait_until(lambda: len(versions(service)) == len(before) + len(after), "every event applied", 30)
        finally:
            service.engine.dispose()
        assert consuming_on(caplog) == [first.port, second.port]
    assert summary(settings).processed_events == len(before) + len(after)
    assert broker.depth(consumer_config.queue) == 0 and broker.depth(consumer_config.dead_letter_queue) == 0
