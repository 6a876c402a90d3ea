"""One RabbitMQ channel in confirm mode, kept open: connect, declare, confirm, and reconnect forever.

Each (re)connect tries the broker's nodes in turn (`create_connection` of a
`CoalescingConnection`), starting after the node just lost, on the relay's own ioloop; it
declares the topology and turns on publisher confirms, and only then is the channel handed
to the owner. When the connection goes, whatever the cause, the owner hears `on_channel_lost`
and a reconnect is scheduled after the delay the `ReconnectPolicy` picks for that cause.

`renew()` replaces only the channel. RabbitMQ 3.10 nacks every publish on a channel that
was opened while a quorum queue bound to the exchange was electing its leader, for as
long as the old leader stays down, while a channel opened after the election works: so
a nack is answered with a new channel, soon, on the same connection.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from pika import spec
from pika.adapters.select_connection import IOLoop
from pika.adapters.utils.connection_workflow import AbstractAMQPConnectionWorkflow
from pika.channel import Channel
from pika.connection import Connection, Parameters
from pika.exceptions import ChannelClosedByBroker
from pika.frame import Method

from items_events.backoff import Backoff
from items_events.broker_addresses import Address, address_of, starting_after
from items_events.reconnect_policy import ReconnectPolicy
from relay.coalescing_connection import CoalescingConnection
from relay.loop_timer import LoopTimer
from relay.topology import Topology

log = logging.getLogger(__name__)

STABLE_AFTER_S = 10.0
"""A connection that stayed up this long (or got a positive confirm) restarts the backoff."""
RENEW_INITIAL_S = 0.05
RENEW_CAP_S = 2.0


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
        addresses: Sequence[Parameters],
        topology: Topology,
        policy: ReconnectPolicy,
        clock: Callable[[], float] = time.monotonic,
        renewal: Backoff | None = None,
    ) -> None:
        if not addresses:
            raise ValueError("the relay needs at least one broker address")
        self._loop = loop
        self._addresses = list(addresses)
        self._topology = topology
        self._policy = policy
        self._clock = clock
        self._renewal = renewal or Backoff(initial_s=RENEW_INITIAL_S, cap_s=RENEW_CAP_S)
        self._reconnect = LoopTimer(loop, self._connect)
        self._reopen = LoopTimer(loop, self._open_channel)
        self._events: ChannelEvents | None = None
        self._workflow: AbstractAMQPConnectionWorkflow | None = None
        self._connection: Connection | None = None
        self._channel: Channel | None = None
        self._lost: Address | None = None
        self._broker_refusal: BaseException | None = None
        self._wanted = False
        self._ready_at: float | None = None
        self._confirmed_any = False

    def start(self, events: ChannelEvents) -> None:
        self._events = events
        self._wanted = True
        if self._connection is None and self._workflow is None and not self._reconnect.pending:
            self._connect()

    def close(self) -> None:
        """Stop for good (until `start`); `on_channel_closed` follows, maybe at once.

        A connection attempt under way is left to finish: pika 1.4.4 trips an assertion when
        its workflow is aborted, or its connection closed, mid-handshake. `_on_connected` then
        closes the connection, or the attempt fails by itself, within each address's
        `stack_timeout` (15 s by default). Nothing can be published on it meanwhile.
        """
        self._wanted = False
        self._reconnect.cancel()
        self._reopen.cancel()
        if self._workflow is not None:
            return
        if self._connection is None:
            self._owner().on_channel_closed()
        elif self._connection.is_open:
            self._connection.close(reply_text="relay stopping")

    def drop(self, reason: str) -> None:
        """Close an open connection now; unless closed for good, a reconnect follows."""
        if self._connection is not None and self._connection.is_open:
            self._connection.close(reply_text=reason[:200])

    def renew(self, reason: str) -> None:
        """Close the channel, not the connection, and open another after a short, growing delay."""
        channel = self._channel
        if channel is None or not channel.is_open or self._connection is None or not self._connection.is_open:
            self.drop(reason)
            return
        self._channel = None  # its close is ours, not the broker's: see _on_channel_closed
        delay = self._renewal.next_delay()
        log.warning("renewing the broker channel in %.2fs: %s", delay, reason)
        channel.close()
        self._owner().on_channel_lost()
        self._reopen.schedule(delay)

    def _connect(self) -> None:
        self._broker_refusal = None
        self._ready_at = None
        self._confirmed_any = False
        self._renewal.reset()
        addresses = starting_after(self._addresses, self._lost)
        self._workflow = CoalescingConnection.create_connection(addresses, self._on_connected, custom_ioloop=self._loop)

    def _on_connected(self, result: Connection | BaseException) -> None:
        self._workflow = None
        if isinstance(result, BaseException):  # no address answered
            self._on_gone(None, result)
            return
        self._connection = result
        result.add_on_close_callback(self._on_gone)
        if not self._wanted:
            result.close(reply_text="no longer needed")
            return
        log.info("connected to the broker node %s:%d", *address_of(result.params))
        self._open_channel()

    def _open_channel(self) -> None:
        if self._connection is not None and self._connection.is_open and self._wanted:
            self._connection.channel(on_open_callback=self._on_channel_open)

    def _on_channel_open(self, channel: Channel) -> None:
        self._channel = channel
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(
            lambda _channel, method, properties, _body: self._owner().on_returned(method, properties)
        )

        def confirm_mode() -> None:
            on_confirmation = functools.partial(self._on_confirmation, channel)
            channel.confirm_delivery(ack_nack_callback=on_confirmation, callback=lambda _: ready())

        def ready() -> None:
            if not (channel.is_open and self._wanted and channel is self._channel):
                return  # closed while confirms were being turned on
            self._ready_at = self._clock()
            self._owner().on_channel_ready(channel)

        self._topology.declare(channel, on_done=confirm_mode)

    def _on_confirmation(self, channel: Channel, frame: Method) -> None:
        if channel is not self._channel:
            return  # a late answer on a channel given up: its messages are being resent
        if isinstance(frame.method, spec.Basic.Ack):
            self._confirmed_any = True
            self._renewal.reset()
        self._owner().on_confirmation(frame.method)

    def _on_channel_closed(self, channel: Channel, reason: BaseException) -> None:
        if channel is not self._channel:
            return  # renewed: closed on purpose, and its owner already told
        self._channel = None
        if isinstance(reason, ChannelClosedByBroker):
            self._broker_refusal = reason  # e.g. 406 on a declaration: the cause to reconnect by
        self.drop(f"channel closed: {reason}")

    def _on_gone(self, connection: Connection | None, reason: BaseException) -> None:
        stable = self._ready_at is not None and self._clock() - self._ready_at >= STABLE_AFTER_S
        if connection is not None:
            self._lost = address_of(connection.params)
        self._connection = None
        self._channel = None
        self._reopen.cancel()
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
