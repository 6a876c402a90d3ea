"""Reference publish rates with plain pika, to compare the relay with: pipelined confirms, one by one."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pika
from pika.adapters.select_connection import SelectConnection
from pika.channel import Channel
from pika.frame import Method

from adapters.outbox_rows import PendingEvent


class PipelinedPublisher:
    """SelectConnection publishing `messages` with up to `window` unconfirmed, as fast as pika goes."""

    def __init__(self, amqp_url: str, exchange: str, messages: Sequence[PendingEvent], window: int) -> None:
        self._parameters = pika.URLParameters(amqp_url)
        self._exchange = exchange
        self._messages = messages
        self._window = window
        self._sent = self._confirmed = 0
        self._started = self._elapsed = 0.0
        self._connection: SelectConnection | None = None
        self._channel: Channel | None = None

    def rate(self) -> float:
        """Messages per second from the first publish to the last confirm."""
        connection = SelectConnection(
            self._parameters,
            on_open_callback=lambda opened: opened.channel(on_open_callback=self._on_channel),
            on_close_callback=lambda closed, _reason: closed.ioloop.stop(),
        )
        self._connection = connection
        connection.ioloop.start()
        connection.ioloop.close()
        return len(self._messages) / self._elapsed

    def _on_channel(self, channel: Channel) -> None:
        self._channel = channel
        channel.confirm_delivery(self._on_confirm, callback=self._start)

    def _start(self, _frame: Method) -> None:
        self._started = time.perf_counter()
        self._publish_more()

    def _publish_more(self) -> None:
        # Refill in bursts once half the window is free, as the relay does: fewer, larger writes.
        if self._channel is None or self._sent - self._confirmed > self._window // 2:
            return
        while self._sent < len(self._messages) and self._sent - self._confirmed < self._window:
            message = self._messages[self._sent]
            properties = message.properties()
            self._channel.basic_publish(self._exchange, message.routing_key, message.payload, properties, True)
            self._sent += 1

    def _on_confirm(self, frame: Method) -> None:
        # Tags count from 1 and nothing is nacked here, so a tag is the number confirmed so far.
        self._confirmed = max(self._confirmed, frame.method.delivery_tag)
        if self._confirmed < len(self._messages):
            self._publish_more()
        elif self._connection is not None and self._connection.is_open:
            self._elapsed = time.perf_counter() - self._started
            self._connection.close()


def one_by_one_rate(amqp_url: str, exchange: str, messages: Sequence[PendingEvent]) -> float:
    """BlockingConnection in confirm mode: each publish waits for its own confirm."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    started = time.perf_counter()
    for message in messages:
        channel.basic_publish(exchange, message.routing_key, message.payload, message.properties(), mandatory=True)
    elapsed = time.perf_counter() - started
    connection.close()
    return len(messages) / elapsed
