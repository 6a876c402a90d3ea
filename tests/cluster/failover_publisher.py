"""A confirm publisher that outlives its broker node: a prototype of what the relay's channel could do.

- It connects with `SelectConnection.create_connection(addresses, ...)`: the first address
  that completes the AMQP handshake wins. After a loss the list starts after the node lost.
- A nack closes the channel, not the connection, and opens another: on RabbitMQ 3.10.8 a
  channel opened while a quorum queue elects its new leader has every publish nacked for
  as long as the old leader stays down, while a channel opened a moment later works.
- Whatever was unconfirmed is sent again on the next channel: a duplicate is possible
  (same `message_id`), a loss is not.
"""

from __future__ import annotations

import functools
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from pika import BasicProperties, SelectConnection, spec
from pika.adapters.select_connection import IOLoop
from pika.channel import Channel
from pika.connection import Connection, Parameters
from pika.frame import Method

from tests.cluster.broker_addresses import address_of, starting_after

TICK_S = 0.01


@dataclass
class PublishReport:
    """What happened on the way: where it connected, how often the broker refused, the longest wait."""

    confirmed: int = 0
    sends: int = 0
    nacks: int = 0
    channels: int = 0
    connected_to: list[tuple[str, int]] = field(default_factory=list)
    longest_confirm_gap_s: float = 0.0


class FailoverPublisher:
    """Publishes `bodies` at `rate_per_s` with confirms until every one is confirmed or time is up."""

    def __init__(self, addresses: Sequence[Parameters], exchange: str, routing_key: str, window: int = 100) -> None:
        self._addresses = list(addresses)
        self._exchange = exchange
        self._routing_key = routing_key
        self._window = window
        self._loop = IOLoop()
        self._connection: Connection | None = None
        self._channel: Channel | None = None
        self._unconfirmed: dict[int, int] = {}  # delivery tag -> index of the body
        self._resend: deque[int] = deque()
        self._confirmed: set[int] = set()
        self._bodies: Sequence[bytes] = ()
        self._next = 0
        self._tag = 0
        self._rate_per_s = 0.0
        self._started = self._last_confirm = 0.0
        self._finished = False
        self.report = PublishReport()

    def publish_all(self, bodies: Sequence[bytes], rate_per_s: float, timeout_s: float) -> PublishReport:
        self._bodies, self._rate_per_s = bodies, rate_per_s
        self._started = self._last_confirm = time.monotonic()
        self._loop.call_later(timeout_s, self._finish)
        self._connect(self._addresses)
        self._tick()
        try:
            self._loop.start()
        finally:
            self._loop.close()
        return self.report

    def _finish(self) -> None:
        self._finished = True
        if self._connection is not None and self._connection.is_open:
            self._connection.close()  # the loop stops once it is closed
        else:
            self._loop.stop()

    def _connect(self, addresses: Sequence[Parameters]) -> None:
        SelectConnection.create_connection(addresses, self._on_connection_done, custom_ioloop=self._loop)

    def _on_connection_done(self, result: Connection | BaseException) -> None:
        if isinstance(result, BaseException):  # no address answered: try the whole list again
            if not self._finished:
                self._loop.call_later(0.2, lambda: self._connect(self._addresses))
            return
        self._connection = result
        self.report.connected_to.append(address_of(result.params))
        result.add_on_close_callback(self._on_connection_closed)
        self._open_channel()

    def _on_connection_closed(self, connection: Connection, _reason: BaseException) -> None:
        self._forget_unconfirmed()
        if self._finished:
            self._loop.stop()
        else:
            after_lost = starting_after(self._addresses, address_of(connection.params))
            self._loop.call_later(0.2, lambda: self._connect(after_lost))

    def _open_channel(self) -> None:
        if self._connection is not None and self._connection.is_open:
            self._connection.channel(on_open_callback=self._on_channel_open)

    def _on_channel_open(self, channel: Channel) -> None:
        self.report.channels += 1
        self._channel, self._tag = channel, 0
        on_confirm = functools.partial(self._on_confirm, channel)
        channel.confirm_delivery(ack_nack_callback=on_confirm, callback=lambda _frame: self._send_due())

    def _tick(self) -> None:
        self._send_due()
        if not self._finished:
            self._loop.call_later(TICK_S, self._tick)

    def _send_due(self) -> None:
        """Resends first, then new messages up to the rate, while the window has room."""
        channel = self._channel
        if channel is None or not channel.is_open:
            return
        due = min(len(self._bodies), int((time.monotonic() - self._started) * self._rate_per_s) + 1)
        while len(self._unconfirmed) < self._window and (self._resend or self._next < due):
            index = self._resend.popleft() if self._resend else self._next
            self._next = max(self._next, index + 1)
            properties = BasicProperties(delivery_mode=2, message_id=str(index))
            channel.basic_publish(self._exchange, self._routing_key, self._bodies[index], properties, mandatory=True)
            self._tag += 1
            self._unconfirmed[self._tag] = index
            self.report.sends += 1

    def _on_confirm(self, channel: Channel, frame: Method) -> None:
        if channel is not self._channel:
            return  # a late answer on a channel already given up: its messages are being resent
        method = frame.method
        tags = [tag for tag in self._unconfirmed if tag <= method.delivery_tag] if method.multiple else []
        tags = tags or [method.delivery_tag]
        if isinstance(method, spec.Basic.Nack):
            self.report.nacks += 1
            self._renew_channel(channel)
            return
        now = time.monotonic()
        self.report.longest_confirm_gap_s = max(self.report.longest_confirm_gap_s, now - self._last_confirm)
        self._last_confirm = now
        for tag in tags:
            index = self._unconfirmed.pop(tag, None)
            if index is not None:
                self._confirmed.add(index)
        self.report.confirmed = len(self._confirmed)
        if len(self._confirmed) == len(self._bodies):
            self._finish()

    def _renew_channel(self, channel: Channel) -> None:
        self._forget_unconfirmed()
        if channel.is_open:
            channel.close()
        self._open_channel()

    def _forget_unconfirmed(self) -> None:
        self._channel = None
        self._resend.extend(sorted(index for index in self._unconfirmed.values() if index not in self._confirmed))
        self._unconfirmed.clear()
