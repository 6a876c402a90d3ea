"""Given every node of a broker, the relay connects to one that answers and moves on when its own goes.

The "nodes" are TCP proxies to the one shared broker, so losing a node is cutting its proxy:
the relay's connection resets, and it reconnects through the next address, without waiting
for the lost one to come back.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

import pytest

from settings import Settings
from tests.integration.api_server import free_port
from tests.integration.delivery_checks import assert_complete_and_ordered
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites
from tests.integration.relay_runner import relay_thread
from tests.integration.tcp_proxy import TcpProxy
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def connected_through(caplog: pytest.LogCaptureFixture) -> list[int]:
    """The ports of the nodes the relay said it connected to, in order."""
    prefix = "connected to the broker node 127.0.0.1:"
    return [int(r.getMessage()[len(prefix) :]) for r in caplog.records if r.getMessage().startswith(prefix)]


def test_an_address_that_refuses_is_skipped(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="relay")
    with TcpProxy.for_url(relay_settings.amqp_url) as proxy:
        down = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"
        listed = f"{down}, {proxy.url_through(relay_settings.amqp_url)}"
        with relay_thread(relay_settings.with_changes({"amqp_url": listed})):
            writes.create_many(5, prefix="SKIP")
            events.wait_for_ids(writes.event_ids(), timeout_s=15)
        assert connected_through(caplog) == [proxy.port]


def test_when_its_node_goes_the_relay_publishes_through_the_next_and_loses_nothing(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="relay")
    with ExitStack() as stack:
        first, second = (stack.enter_context(TcpProxy.for_url(relay_settings.amqp_url)) for _ in range(2))
        listed = " ".join(proxy.url_through(relay_settings.amqp_url) for proxy in (first, second))
        with relay_thread(relay_settings.with_changes({"amqp_url": listed})):
            writes.create_many(20, prefix="BEFORE")
            events.wait_for_ids(writes.event_ids(), timeout_s=15)
            first.cut()  # stays down: only the other address can serve
            writes.create_many(20, prefix="AFTER")
            events.wait_for_ids(writes.event_ids(), timeout_s=30)
            wait_until(lambda: connected_through(caplog)[-1:] == [second.port], "a connection to the second", 15)
        assert connected_through(caplog) == [first.port, second.port]
    assert_complete_and_ordered(events.settle(), writes.event_ids())
