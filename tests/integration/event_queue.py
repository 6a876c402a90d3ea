"""A private queue bound to the events exchange that collects and decodes what the relay publishes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import Basic, BasicProperties

from eventing.decoding import DecodedEvent, decode_event
from relay.topology import Topology
from tests.events import registry
from tests.waiting import wait_until


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """One delivered message, as a consumer sees it."""

    routing_key: str
    properties: BasicProperties
    body: bytes

    @property
    def message_id(self) -> str:
        return str(self.properties.message_id)

    @property
    def headers(self) -> dict[str, Any]:
        return dict(self.properties.headers or {})

    def decoded(self) -> DecodedEvent:
        """Decoded with the registered schema of its type as the reader schema."""
        writer = decode_event(self.body, registry()).schema
        return decode_event(self.body, registry(), reader_schema=registry().writer(writer.full_name).parsed)


class EventQueue:
    """Exclusive, auto-deleted, bound with `binding` (all events by default); use as a context manager."""

    def __init__(self, amqp_url: str, exchange: str, binding: str = "#") -> None:
        self._connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self._channel: BlockingChannel = self._connection.channel()
        Topology(exchange).declare_blocking(self._channel)
        declared = self._channel.queue_declare("", exclusive=True, auto_delete=True)
        self.name = str(declared.method.queue)
        self._channel.queue_bind(self.name, exchange, routing_key=binding)
        self._channel.basic_qos(prefetch_count=2000)
        self._channel.basic_consume(self.name, self._on_message, auto_ack=True)
        self.received: list[ReceivedEvent] = []

    def __enter__(self) -> EventQueue:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._connection.is_open:
            self._connection.close()

    def wait_until(self, done: Callable[[list[ReceivedEvent]], bool], timeout_s: float) -> list[ReceivedEvent]:
        """Collect until `done(received)` holds; fails the test after `timeout_s`."""

        def collected() -> bool:
            if not done(self.received):
                self._connection.process_data_events(time_limit=0.1)  # the wait between polls
            return done(self.received)

        try:
            wait_until(collected, "the events expected", timeout_s, interval_s=0)
        except AssertionError as exc:
            raise AssertionError(f"{exc}, with {len(self.received)} events received") from None
        return self.received

    def wait_for_count(self, count: int, timeout_s: float) -> list[ReceivedEvent]:
        return self.wait_until(lambda got: len(got) >= count, timeout_s)

    def wait_for_ids(self, event_ids: set[str], timeout_s: float) -> list[ReceivedEvent]:
        """Collect until every id in `event_ids` arrived at least once."""
        return self.wait_until(lambda got: event_ids <= {event.message_id for event in got}, timeout_s)

    def settle(self, quiet_s: float = 0.5) -> list[ReceivedEvent]:
        """Keep collecting until nothing more arrives for `quiet_s` (catches stray extra events)."""
        while True:
            before = len(self.received)
            self._connection.process_data_events(time_limit=quiet_s)
            if len(self.received) == before:
                return self.received

    def _on_message(
        self, _channel: BlockingChannel, method: Basic.Deliver, properties: BasicProperties, body: bytes
    ) -> None:
        self.received.append(ReceivedEvent(str(method.routing_key), properties, body))
