"""Publishes events to one named queue only, through the default exchange, one confirm at a time."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import ChannelClosedByBroker

from adapters.outbox_rows import PendingEvent

DEFAULT_EXCHANGE = ""
NOT_FOUND = 404


class QueueNotFound(LookupError):
    """The named queue does not exist; replaying never creates one."""


class ReplayPublisher:
    """A context manager: connects to a node, checks the queue exists, turns on publisher confirms.

    The default exchange routes a message to the queue named by its routing key and to no
    other, so a replay reaches one consumer however many are bound to the events exchange.
    """

    def __init__(self, addresses: Sequence[pika.connection.Parameters], queue: str) -> None:
        self._addresses = list(addresses)
        self.queue = queue
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def __enter__(self) -> ReplayPublisher:
        self._connection = pika.BlockingConnection(self._addresses)  # the first node that answers
        try:
            channel = self._connection.channel()
            try:
                channel.queue_declare(self.queue, passive=True)
            except ChannelClosedByBroker as exc:
                if exc.reply_code == NOT_FOUND:
                    raise QueueNotFound(f"queue {self.queue!r} does not exist") from None
                raise
            channel.confirm_delivery()
        except BaseException:
            self._connection.close()
            raise
        self._channel = channel
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self._connection is not None and self._connection.is_open:
            self._connection.close()

    def publish(self, event: PendingEvent) -> None:
        """Returns once the broker has confirmed; raises if it nacks or cannot route (queue deleted)."""
        if self._channel is None:
            raise RuntimeError("publish() outside the `with` block")
        # The relay's own message properties: persistent, message_id = ce-id, the ce-* headers.
        self._channel.basic_publish(DEFAULT_EXCHANGE, self.queue, event.payload, event.properties(), mandatory=True)
