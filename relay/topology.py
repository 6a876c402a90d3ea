"""What the relay declares on every (re)connect: the events exchange, exactly as every client declares it.

A durable topic exchange with no arguments, so a consumer in any language can declare it
plainly without a 406. No alternate exchange: an event no queue is bound for is returned
by the broker (the relay publishes `mandatory`), counted, and stays in the outbox for its
retention period, from which `entrypoints.replay` can send it to one queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pika.adapters.blocking_connection import BlockingChannel
from pika.channel import Channel

from items_events.queue_topology import Declaration, declare, exchange_declaration


@dataclass(frozen=True, slots=True)
class Topology:
    """The events exchange named by the settings."""

    exchange: str

    def declarations(self) -> list[Declaration]:
        return [exchange_declaration(self.exchange)]

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
        declare(channel, self.declarations())
