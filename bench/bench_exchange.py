"""An events exchange of the benchmark's own, so that no real consumer sees its events; deleted afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from types import TracebackType
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel

from relay.topology import Topology

QUORUM_QUEUE: dict[str, Any] = {"x-queue-type": "quorum"}


class BenchExchange:
    """The relay's topology on a `bench.<purpose>.<random>` exchange, optionally with a durable queue bound to it.

    The queue stands for a real consumer's (a durable quorum queue, as the consumer runner
    declares): every event is routed and persisted, so publisher confirms cost what they
    cost in production. A connection is opened per call, as none is kept serviced between.
    """

    def __init__(self, amqp_url: str, purpose: str, with_queue: bool = False) -> None:
        self.amqp_url = amqp_url
        self.name = f"bench.{purpose}.{secrets.token_hex(4)}"
        self._with_queue = with_queue

    def __enter__(self) -> BenchExchange:
        def declare(channel: BlockingChannel) -> None:
            Topology(self.name).declare_blocking(channel)
            if self._with_queue:
                channel.queue_declare(self.name, durable=True, arguments=QUORUM_QUEUE)
                channel.queue_bind(self.name, self.name, routing_key="#")

        self._on_channel(declare)
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        def delete(channel: BlockingChannel) -> None:
            if self._with_queue:
                channel.queue_delete(self.name)
            channel.exchange_delete(self.name)

        self._on_channel(delete)

    def purge(self) -> int:
        """Drop what the queue holds; returns how many messages it held."""
        held = 0

        def purge(channel: BlockingChannel) -> None:
            nonlocal held
            held = int(channel.queue_purge(self.name).method.message_count)

        if self._with_queue:
            self._on_channel(purge)
        return held

    def _on_channel(self, use: Callable[[BlockingChannel], None]) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        try:
            use(connection.channel())
        finally:
            connection.close()
