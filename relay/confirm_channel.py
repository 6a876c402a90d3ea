"""One RabbitMQ channel in confirm mode, kept open: connect, declare, confirm, and reconnect forever.

Each (re)connect opens a pika SelectConnection on the relay's own ioloop, declares the
topology, and turns on publisher confirms; only then is the channel handed to the
owner. When the connection goes, whatever the cause, the owner hears `on_channel_lost`
and a reconnect is scheduled after the delay the `ReconnectPolicy` picks for that cause.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from pika import SelectConnection, spec
from pika.adapters.select_connection import IOLoop
from pika.channel import Channel
from pika.connection import Connection, Parameters
from pika.exceptions import ChannelClosedByBroker
from pika.frame import Method

from items_events.reconnect_policy import ReconnectPolicy
from relay.loop_timer import LoopTimer
from relay.topology import Topology

log = logging.getLogger(__name__)

STABLE_AFTER_S = 10.0
"""A connection that stayed up this long (or got a positive confirm) restarts the backoff."""


class ChannelEvents(Protocol):
    """What the channel tells its owner, always on the ioloop thread."""

    def on_channel_ready(self, channel: Channel) -> None: ...

    def on_confirmation(self, method: spec.Basic.Ack | spec.Basic.Nack) -> None: ...

    def on_returned(self, method: spec.Basic.Return, properties: spec.BasicProperties) -> None: ...

    def on_channel_lost(self) -> None: ...

    def on_channel_closed(self) -> None:
        """`close()` has finished."""


class ConfirmChannel:
    """Owns the connection's lifecycle; the owner only publishes on the channel it is given."""

    def __init__(
        self,
        loop: IOLoop,
        parameters: Parameters,
        topology: Topology,
        policy: ReconnectPolicy,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loop = loop
        self._parameters = parameters
        self._topology = topology
        self._policy = policy
        self._clock = clock
        self._reconnect = LoopTimer(loop, self._connect)
        self._events: ChannelEvents | None = None
        self._connection: SelectConnection | None = None
        self._broker_refusal: BaseException | None = None
        self._wanted = False
        self._ready_at: float | None = None
        self._confirmed_any = False

    def start(self, events: ChannelEvents) -> None:
        self._events = events
        self._wanted = True
        if self._connection is None and not self._reconnect.pending:
            self._connect()

    def close(self) -> None:
        """Stop for good (until `start`); `on_channel_closed` follows, maybe at once.

        A connection still opening is left to finish: pika 1.4.4 trips an assertion when
        a connection is closed mid-handshake. `_on_connection_open` then closes it, or the
        attempt fails by itself, within the URL's `stack_timeout` (15 s by default).
        Nothing can be published on it meanwhile.
        """
        self._wanted = False
        self._reconnect.cancel()
        if self._connection is None:
            self._owner().on_channel_closed()
        elif self._connection.is_open:
            self._connection.close(reply_text="relay stopping")

    def drop(self, reason: str) -> None:
        """Close an open connection now; unless closed for good, a reconnect follows."""
        if self._connection is not None and self._connection.is_open:
            self._connection.close(reply_text=reason[:200])

    def _connect(self) -> None:
        self._broker_refusal = None
        self._ready_at = None
        self._confirmed_any = False
        self._connection = SelectConnection(
            self._parameters,
            on_open_callback=self._on_connection_open,
            on_open_error_callback=self._on_gone,
            on_close_callback=self._on_gone,
            custom_ioloop=self._loop,
        )

    def _on_connection_open(self, connection: Connection) -> None:
        if not self._wanted:
            connection.close(reply_text="no longer needed")
            return
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_channel_open(self, channel: Channel) -> None:
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(
            lambda _channel, method, properties, _body: self._owner().on_returned(method, properties)
        )

        def confirm_mode() -> None:
            channel.confirm_delivery(ack_nack_callback=self._on_confirmation, callback=lambda _: ready())

        def ready() -> None:
            if not (channel.is_open and self._wanted):
                return  # closed while confirms were being turned on
            self._ready_at = self._clock()
            self._owner().on_channel_ready(channel)

        self._topology.declare(channel, on_done=confirm_mode)

    def _on_confirmation(self, frame: Method) -> None:
        if isinstance(frame.method, spec.Basic.Ack):
            self._confirmed_any = True
        self._owner().on_confirmation(frame.method)

    def _on_channel_closed(self, _channel: Channel, reason: BaseException) -> None:
        if isinstance(reason, ChannelClosedByBroker):
            self._broker_refusal = reason  # e.g. 406 on a declaration: the cause to reconnect by
        self.drop(f"channel closed: {reason}")

    def _on_gone(self, _connection: Connection, reason: BaseException) -> None:
        stable = self._ready_at is not None and self._clock() - self._ready_at >= STABLE_AFTER_S
        self._connection = None
        self._owner().on_channel_lost()
        if not self._wanted:
            self._owner().on_channel_closed()
            return
        if self._confirmed_any or stable:
            self._policy.recovered()
        self._reconnect.schedule(self._policy.delay_after(self._broker_refusal or reason))

    def _owner(self) -> ChannelEvents:
        if self._events is None:
            raise RuntimeError("the channel was not started")
        return self._events
