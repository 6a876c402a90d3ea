"""Publishes outbox events with pipelined publisher confirms on a `ConfirmChannel`.

Every message is persistent and `mandatory`, and one batch is one socket write
(relay/coalescing_connection.py); up to the owner's window of them are in flight at once,
tracked by delivery tag until the broker confirms them (`multiple=True` acks included). Any
delivery failure gives up the window: a nack renews the channel, a confirm overdue by
`confirm_timeout_s` drops the connection. Every unconfirmed message is forgotten and its
row, still unmarked in the outbox, is read and resent in seq order on the next channel.
Consumers see at most a duplicate (same `message_id`), never a loss. A message that no
queue is bound for comes back as a basic.return followed by its ack: it is counted and
logged, and marked published like any other, since the outbox keeps it for replay. With
tracing on, each publish is a producer span (relay/publish_tracing.py).
All calls happen on the ioloop thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Protocol

from pika import spec
from pika.channel import Channel

from adapters.outbox_rows import PendingEvent
from observability.metrics import EVENTS_CONFIRMED, EVENTS_NACKED, EVENTS_PUBLISHED, EVENTS_UNROUTED
from observability.throttled_log import ThrottledLog
from relay.coalescing_connection import one_write
from relay.confirm_channel import ConfirmChannel
from relay.in_flight import InFlightWindow
from relay.loop_timer import LoopTimer, TimerLoop
from relay.publish_tracing import PublishTracing

log = logging.getLogger(__name__)

UNROUTED_LOG_INTERVAL_S = 10.0


class PublisherEvents(Protocol):
    """What the publisher tells its owner, always on the ioloop thread."""

    def on_ready(self) -> None: ...

    def on_confirmed(self, seqs: list[int]) -> None: ...

    def on_lost(self) -> None:
        """Unconfirmed messages were forgotten: their rows must be read and sent again."""

    def on_closed(self) -> None:
        """`close()` has finished."""


class ConfirmingPublisher:
    """Tracks each publish until its confirm; gives up the whole window on any failure."""

    def __init__(
        self,
        loop: TimerLoop,
        channel: ConfirmChannel,
        exchange: str,
        confirm_timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._confirm_channel = channel
        self._exchange = exchange
        self._confirm_timeout_s = confirm_timeout_s
        self._clock = clock
        self._window = InFlightWindow()
        self._watchdog = LoopTimer(loop, self._check_confirm_deadline)
        self._events: PublisherEvents | None = None
        self._channel: Channel | None = None
        self._delivery_tag = 0
        self._unrouted_log = ThrottledLog(log, UNROUTED_LOG_INTERVAL_S)
        self._tracing = PublishTracing.if_requested(exchange)

    @property
    def ready(self) -> bool:
        return self._channel is not None

    @property
    def in_flight(self) -> int:
        return len(self._window)

    def in_flight_seqs(self) -> set[int]:
        return self._window.seqs()

    def start(self, events: PublisherEvents) -> None:
        self._events = events
        self._confirm_channel.start(self)

    def close(self) -> None:
        """Stop (until `start`): unconfirmed messages are forgotten; `on_closed` follows."""
        self._forget_window()
        self._confirm_channel.close()

    def publish(self, events: Sequence[PendingEvent]) -> None:
        if self._channel is None:
            raise RuntimeError("publish() before the publisher is ready")
        sent_at = self._clock()
        channel = self._channel
        with one_write(channel):
            for event in events:
                properties = event.properties()
                with nullcontext() if self._tracing is None else self._tracing.sending(event, properties):
                    channel.basic_publish(self._exchange, event.routing_key, event.payload, properties, mandatory=True)
                self._delivery_tag += 1
                self._window.add(self._delivery_tag, event.seq, sent_at)
        EVENTS_PUBLISHED.inc(len(events))
        self._watchdog.schedule(self._watch_period())

    # ChannelEvents

    def on_channel_ready(self, channel: Channel) -> None:
        self._channel = channel
        self._delivery_tag = 0  # tags count from 1 on each channel in confirm mode
        if self._tracing is not None:
            self._tracing.connected(channel)
        log.info("publishing to exchange %r with confirms", self._exchange)
        self._owner().on_ready()

    def on_confirmation(self, method: spec.Basic.Ack | spec.Basic.Nack) -> None:
        if self._channel is None:
            return  # a late confirm of a window already given up
        if isinstance(method, spec.Basic.Nack):
            EVENTS_NACKED.inc()
            self._fail(f"broker nacked delivery {method.delivery_tag}", self._confirm_channel.renew)
            return
        seqs = self._window.confirm(method.delivery_tag, method.multiple)
        if seqs:
            EVENTS_CONFIRMED.inc(len(seqs))
            self._owner().on_confirmed(seqs)

    def on_returned(self, method: spec.Basic.Return, properties: spec.BasicProperties) -> None:
        # Nobody is bound for it: the broker routed it nowhere, and its ack follows.
        EVENTS_UNROUTED.inc()
        self._unrouted_log.warning(
            "event %s (%s) reached no queue: no consumer is bound for it; it stays in the outbox for replay",
            properties.message_id,
            method.routing_key,
        )

    def on_channel_lost(self) -> None:
        self._forget_window()
        self._owner().on_lost()

    def on_channel_closed(self) -> None:
        self._owner().on_closed()

    def _check_confirm_deadline(self) -> None:
        oldest = self._window.oldest_sent_at()
        if oldest is None or self._channel is None:
            return
        if self._clock() - oldest > self._confirm_timeout_s:
            EVENTS_NACKED.inc()
            self._fail(f"no confirm within {self._confirm_timeout_s}s")
        else:
            self._watchdog.schedule(self._watch_period())

    def _fail(self, reason: str, recover: Callable[[str], None] | None = None) -> None:
        log.warning("%s; resending %d unconfirmed events", reason, len(self._window))
        self._forget_window()
        (recover or self._confirm_channel.drop)(reason)

    def _forget_window(self) -> None:
        self._channel = None
        self._window.clear()
        self._watchdog.cancel()

    def _watch_period(self) -> float:
        return min(1.0, self._confirm_timeout_s / 4)

    def _owner(self) -> PublisherEvents:
        if self._events is None:
            raise RuntimeError("the publisher was not started")
        return self._events
