"""A test consumer on a thread: records when each item's event arrives, by its `ce-subject` (the item id)."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from types import TracebackType

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import Basic, BasicProperties

from items_events.cloudevents import HEADER_PREFIX
from relay.topology import Topology

SUBJECT_HEADER = HEADER_PREFIX + "subject"
POLL_S = 0.05
READY_TIMEOUT_S = 15


class EventArrivals:
    """An exclusive queue bound to the exchange; `perf_counter()` at the first delivery of each subject."""

    def __init__(self, amqp_url: str, exchange: str, binding: str = "item.*") -> None:
        self._amqp_url = amqp_url
        self._exchange = exchange
        self._binding = binding
        self._arrived: dict[str, float] = {}
        self._deliveries = 0
        self._stopping = threading.Event()
        self._bound = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._consume, name="event-arrivals", daemon=True)

    def __enter__(self) -> EventArrivals:
        self._thread.start()
        if not self._bound.wait(READY_TIMEOUT_S):
            raise RuntimeError(f"the test consumer did not bind within {READY_TIMEOUT_S}s: {self._failure!r}")
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stopping.set()
        self._thread.join(READY_TIMEOUT_S)

    @property
    def deliveries(self) -> int:
        """Messages received, duplicates included."""
        return self._deliveries

    def arrived_at(self, subject: str) -> float | None:
        return self._arrived.get(subject)

    def wait_for(self, subjects: Collection[str], timeout_s: float) -> int:
        """Wait until every subject has arrived (or the timeout); returns how many are still missing."""
        deadline = time.monotonic() + timeout_s
        while True:
            missing = sum(1 for subject in subjects if subject not in self._arrived)
            if not missing or time.monotonic() > deadline or self._failure is not None:
                return missing
            time.sleep(0.02)

    def _consume(self) -> None:
        try:
            connection = pika.BlockingConnection(pika.URLParameters(self._amqp_url))
        except pika.exceptions.AMQPError as exc:
            self._failure = exc
            return
        try:
            channel = connection.channel()
            Topology(self._exchange).declare_blocking(channel)
            queue = str(channel.queue_declare("", exclusive=True, auto_delete=True).method.queue)
            channel.queue_bind(queue, self._exchange, routing_key=self._binding)
            channel.basic_qos(prefetch_count=1000)
            channel.basic_consume(queue, self._on_message, auto_ack=True)
            self._bound.set()
            while not self._stopping.is_set():
                connection.process_data_events(time_limit=POLL_S)
        except pika.exceptions.AMQPError as exc:
            self._failure = exc
        finally:
            if connection.is_open:
                connection.close()

    def _on_message(
        self, _channel: BlockingChannel, _method: Basic.Deliver, properties: BasicProperties, _body: bytes
    ) -> None:
        now = time.perf_counter()
        self._deliveries += 1
        subject = (properties.headers or {}).get(SUBJECT_HEADER)
        if isinstance(subject, str):
            self._arrived.setdefault(subject, now)
