"""Each way a delivery can fail (no confirm, a nack) ends in a resend, never a loss."""

from __future__ import annotations

import logging
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
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def wait_for_log(caplog: pytest.LogCaptureFixture, text: str, timeout_s: float = 15) -> None:
    logged = lambda: any(text in record.getMessage() for record in caplog.records)  # noqa: E731
    wait_until(logged, f"the log line {text!r}", timeout_s)


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
        proxied = relay_settings.with_changes(
            {"amqp_url": proxy.url_through(relay_settings.amqp_url), "relay_confirm_timeout_s": 1.0}
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

        def take_one() -> bool:  # consuming makes room; the relay's resends then fit
            method, properties, _body = broker.basic_get(capped, auto_ack=True)
            if method is not None:
                received.add(str(properties.message_id))
            return received == expected

        wait_until(take_one, "every nacked event resent", timeout_s=30, interval_s=0.01)
    # A nack is answered with a new channel on the same connection, not with a reconnect.
    messages = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("renewing the broker channel") for message in messages)
    assert not any("broker connection lost" in message for message in messages)
