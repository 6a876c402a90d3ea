"""A test's own view of RabbitMQ: publish encoded events, count and read queues, clean up."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import BasicProperties

from eventing.outbox_message import OutboxMessage
from items_events.config import ConsumerConfig
from items_events.queue_topology import declare_queue
from items_events.single_object import CONTENT_TYPE
from relay.topology import Topology
from tests.waiting import wait_until


class TestBroker:
    """One connection for the test's side of the broker; use as a context manager."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, amqp_url: str) -> None:
        self._connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel: BlockingChannel = self._connection.channel()

    def __enter__(self) -> TestBroker:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._connection.close()

    def declare(self, config: ConsumerConfig) -> None:
        """The consumer's queue as it declares it, so events published before it starts are kept."""
        declare_queue(self.channel, config)

    def declare_exchange(self, exchange: str) -> None:
        Topology(exchange).declare_blocking(self.channel)

    def publish(self, exchange: str, messages: Iterable[OutboxMessage]) -> None:
        """As the relay publishes: persistent, with the CloudEvents headers and the event id."""
        for message in messages:
            self.publish_raw(exchange, message.routing_key, message.payload, message.headers, str(message.event_id))

    def publish_raw(
        self, exchange: str, routing_key: str, body: bytes, headers: dict[str, Any], message_id: str
    ) -> None:
        properties = BasicProperties(content_type=CONTENT_TYPE, delivery_mode=2, message_id=message_id, headers=headers)
        self.channel.basic_publish(exchange, routing_key, body, properties)

    def depth(self, queue: str) -> int:
        """Ready messages (unacked ones are not counted)."""
        return int(self.channel.queue_declare(queue, passive=True).method.message_count)

    def wait_for_depth(self, queue: str, count: int, timeout_s: float = 20) -> None:
        wait_until(lambda: self.depth(queue) >= count, f"{count} messages in {queue}", timeout_s)

    def take_all(self, queue: str) -> list[tuple[BasicProperties, bytes]]:
        """Every ready message, acked."""
        taken: list[tuple[BasicProperties, bytes]] = []
        while True:
            method, properties, body = self.channel.basic_get(queue)
            if method is None:
                return taken
            self.channel.basic_ack(method.delivery_tag)
            taken.append((properties, body))

    def delete(self, config: ConsumerConfig) -> None:
        for queue in (config.queue, config.dead_letter_queue):
            self.channel.queue_delete(queue)
        for exchange in (config.exchange, config.dead_letter_exchange_name):
            self.channel.exchange_delete(exchange)
