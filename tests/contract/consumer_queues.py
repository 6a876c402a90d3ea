"""Two consumers' queues on a private events exchange, for checking where a replay lands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from types import TracebackType

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import Basic, BasicProperties

from relay.topology import Topology


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as a consumer got it."""

    method: Basic.GetOk
    properties: BasicProperties
    body: bytes

    @property
    def ce_id(self) -> str:
        return str((self.properties.headers or {})["ce-id"])


class ConsumerQueues:
    """`target` and `bystander`, both bound with `#` to the exchange; everything is deleted on exit.

    The queues are neither exclusive nor auto-deleted: the replay checks them from its own
    connection, as it would a real consumer's queue.
    """

    def __init__(self, amqp_url: str) -> None:
        suffix = uuid.uuid4().hex[:12]
        self.exchange = f"items.test.{suffix}"
        self.target = f"replay.test.{suffix}.target"
        self.bystander = f"replay.test.{suffix}.bystander"
        self._connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self._channel: BlockingChannel = self._connection.channel()
        Topology(self.exchange).declare_blocking(self._channel)
        for queue in (self.target, self.bystander):
            self._channel.queue_declare(queue)
            self._channel.queue_bind(queue, self.exchange, routing_key="#")

    def __enter__(self) -> ConsumerQueues:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        for queue in (self.target, self.bystander):
            self._channel.queue_delete(queue)
        self._channel.exchange_delete(self.exchange)
        self._connection.close()

    def drain(self, queue: str) -> list[Delivery]:
        """Every message in `queue` now, in queue order, acknowledged."""
        deliveries = []
        while True:
            method, properties, body = self._channel.basic_get(queue, auto_ack=True)
            if method is None:
                return deliveries
            deliveries.append(Delivery(method, properties, body))
