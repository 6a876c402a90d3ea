"""The relay tests' event queue, plus the wall-clock time at which each delivery arrived."""

from __future__ import annotations

import time

from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import Basic, BasicProperties

from tests.integration.event_queue import EventQueue


class TimedEventQueue(EventQueue):
    """`arrived_at[n]` is when `received[n]` arrived, comparable with the relays' log timestamps."""

    def __init__(self, amqp_url: str, exchange: str, binding: str = "#") -> None:
        self.arrived_at: list[float] = []
        super().__init__(amqp_url, exchange, binding)

    def _on_message(
        self, channel: BlockingChannel, method: Basic.Deliver, properties: BasicProperties, body: bytes
    ) -> None:
        self.arrived_at.append(time.time())
        super()._on_message(channel, method, properties, body)
