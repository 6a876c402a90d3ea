"""Each way a delivery can fail (no confirm, a nack, a basic.return) ends in a resend, never a loss."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pika
import pytest

from relay.topology import Topology
from settings import Settings
from tests.integration.delivery_checks import assert_complete_and_ordered
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites
from tests.integration.relay_runner import relay_thread
from tests.integration.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.rabbitmq, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def wait_for_log(caplog: pytest.LogCaptureFixture, text: str, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while not any(text in record.getMessage() for record in caplog.records):
        assert time.monotonic() < deadline, f"the relay never logged {text!r}"
        time.sleep(0.05)


@pytest.fixture
def broker(relay_settings: Settings) -> Iterator[pika.adapters.blocking_connection.BlockingChannel]:
    connection = pika.BlockingConnection(pika.URLParameters(relay_settings.amqp_url))
    yield connection.channel()
    connection.close()


def test_a_publish_left_unconfirmed_is_resent(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="relay")
    with TcpProxy.for_url(relay_settings.amqp_url) as proxy:
        proxied = relay_settings.model_copy(
            update={"amqp_url": proxy.url_through(relay_settings.amqp_url), "relay_confirm_timeout_s": 1.0}
        )
        with relay_thread(proxied):
            writes.create_many(5, prefix="BEFORE")
            events.wait_for_ids(writes.event_ids(), timeout_s=15)
            proxy.pause()  # the broker stalls: publishes leave, confirms never come back
            writes.create_many(5, prefix="STALLED")
            wait_for_log(caplog, "no confirm within 1.0s")
            proxy.restore()
            events.wait_for_ids(writes.event_ids(), timeout_s=30)
    assert_complete_and_ordered(events.settle(), writes.event_ids())


def test_a_nacked_publish_is_resent(
    relay_settings: Settings,
    writes: OutboxWrites,
    broker: pika.adapters.blocking_connection.BlockingChannel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="relay")
    Topology(relay_settings.events_exchange).declare_blocking(broker)
    # A full queue that rejects publishes makes the broker nack them.
    capped = broker.queue_declare(
        "", exclusive=True, arguments={"x-max-length": 3, "x-overflow": "reject-publish"}
    ).method.queue
    broker.queue_bind(capped, relay_settings.events_exchange, routing_key="#")
    writes.create_many(10, prefix="NACK")
    expected = writes.event_ids()
    received: set[str] = set()
    with relay_thread(relay_settings):
        wait_for_log(caplog, "broker nacked delivery")
        deadline = time.monotonic() + 30
        while received != expected:  # consuming makes room; the relay's resends then fit
            assert time.monotonic() < deadline, f"{len(expected - received)} nacked events never arrived"
            method, properties, _body = broker.basic_get(capped, auto_ack=True)
            if method is None:
                time.sleep(0.05)
            else:
                received.add(str(properties.message_id))


def test_a_returned_publish_is_resent(
    relay_settings: Settings,
    writes: OutboxWrites,
    broker: pika.adapters.blocking_connection.BlockingChannel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="relay")
    exchange = relay_settings.events_exchange
    topology = Topology(exchange, unrouted_exchange=f"{exchange}.unrouted", unrouted_queue=f"{exchange}.unrouted")
    topology.declare_blocking(broker)
    found: set[str] = set()

    def collect_unrouted(timeout_s: float = 15) -> None:
        channel = broker.connection.channel()
        deadline = time.monotonic() + timeout_s
        while found != writes.event_ids():
            assert time.monotonic() < deadline, "a returned event was not resent into the alternate exchange"
            try:
                method, properties, _body = channel.basic_get(topology.unrouted_queue, auto_ack=True)
            except pika.exceptions.ChannelClosedByBroker:  # 404 until the relay declares the queue again
                channel, method = broker.connection.channel(), None
            if method is None:
                time.sleep(0.05)
            else:
                found.add(str(properties.message_id))

    try:
        with relay_thread(relay_settings, topology=topology):
            writes.create_many(1, prefix="ROUTED")
            collect_unrouted()
            # Without its queue the alternate exchange routes nowhere, so a mandatory publish comes back.
            broker.queue_delete(topology.unrouted_queue)
            writes.create_many(1, prefix="RETURNED")
            wait_for_log(caplog, "broker returned event")
            collect_unrouted()  # resent after the reconnect, which declared the queue again
    finally:
        cleanup = broker.connection.channel()
        cleanup.queue_delete(topology.unrouted_queue)
        cleanup.exchange_delete(topology.unrouted_exchange)
