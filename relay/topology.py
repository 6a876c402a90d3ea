"""The broker objects the relay publishes through, declared idempotently on every (re)connect.

Events go to a durable topic exchange. Its alternate exchange catches every event that
no binding routes, so nothing is silently dropped and the broker never returns a
`mandatory` message: `items.unrouted` is a fanout exchange bound to the durable queue
`items.unrouted`. That queue is a quorum queue: replicated once the broker is a
cluster, and it keeps messages across broker restarts like any durable queue.
Declaring the same objects again with the same arguments is a no-op, so every
connection declares them; different arguments fail with 406 PRECONDITION_FAILED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pika.adapters.blocking_connection import BlockingChannel
from pika.channel import Channel
from pika.exchange_type import ExchangeType

UNROUTED_EXCHANGE = "items.unrouted"
UNROUTED_QUEUE = "items.unrouted"
EVENTS_EXCHANGE_TYPE = ExchangeType.topic
UNROUTED_EXCHANGE_TYPE = ExchangeType.fanout
UNROUTED_QUEUE_ARGUMENTS: dict[str, Any] = {"x-queue-type": "quorum"}
ALTERNATE_EXCHANGE_ARGUMENT = "alternate-exchange"

Declaration = tuple[str, dict[str, Any]]
"""A channel method name and its keyword arguments; the same for both pika channel kinds."""


@dataclass(frozen=True, slots=True)
class Topology:
    """The events exchange named by the settings, with its alternate exchange and queue."""

    exchange: str
    unrouted_exchange: str = UNROUTED_EXCHANGE
    unrouted_queue: str = UNROUTED_QUEUE

    def declarations(self) -> list[Declaration]:
        """In dependency order: the alternate exchange exists before anything can reach it."""
        return [
            (
                "exchange_declare",
                {"exchange": self.unrouted_exchange, "exchange_type": UNROUTED_EXCHANGE_TYPE, "durable": True},
            ),
            (
                "queue_declare",
                {"queue": self.unrouted_queue, "durable": True, "arguments": UNROUTED_QUEUE_ARGUMENTS},
            ),
            ("queue_bind", {"queue": self.unrouted_queue, "exchange": self.unrouted_exchange}),
            (
                "exchange_declare",
                {
                    "exchange": self.exchange,
                    "exchange_type": EVENTS_EXCHANGE_TYPE,
                    "durable": True,
                    "arguments": {ALTERNATE_EXCHANGE_ARGUMENT: self.unrouted_exchange},
                },
            ),
        ]

    def declare(self, channel: Channel, on_done: Callable[[], None]) -> None:
        """Declare on an asynchronous channel, one step per reply, then call `on_done`."""
        pending = self.declarations()

        def next_step(_reply: object = None) -> None:
            if not channel.is_open:
                return  # closed meanwhile: the connection's close handling takes over
            if not pending:
                on_done()
                return
            method, arguments = pending.pop(0)
            getattr(channel, method)(callback=next_step, **arguments)

        next_step()

    def declare_blocking(self, channel: BlockingChannel) -> None:
        """Declare on a blocking channel (tests, benchmarks, tools)."""
        for method, arguments in self.declarations():
            getattr(channel, method)(**arguments)
