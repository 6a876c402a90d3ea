"""Moves pending outbox rows into the publisher's confirm window, and confirmed ones out as published.

Reads select all pending rows again each time, minus those in flight or confirmed but
not yet marked, so a row that commits late (a lower seq visible after a higher one)
is still picked up, and after a reconnect everything unmarked goes out again in seq
order. One item's rows commit in version order (each write reads the previous one),
so seq order is per-item version order, and one channel keeps publish order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from observability.throttled_log import ThrottledLog
from relay.loop_timer import LoopTimer, TimerLoop
from relay.outbox_source import OutboxSource
from relay.publisher import ConfirmingPublisher

log = logging.getLogger(__name__)

WARNING_INTERVAL_S = 10.0


class EventPump:
    """The publisher's owner while the relay leads; all of it runs on the ioloop thread."""

    def __init__(
        self,
        loop: TimerLoop,
        source: OutboxSource,
        publisher: ConfirmingPublisher,
        batch_size: int,
        max_in_flight: int,
        mark_delay_s: float,
        now: Callable[[], datetime],
        on_closed: Callable[[], None],
        read_interval_s: float = 0.0,
        before_read: Callable[[], bool] = lambda: True,
        on_idle: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._publisher = publisher
        self._batch_size = batch_size
        self._max_in_flight = max_in_flight
        # Refill once this much of the window is free: fewer, larger reads and socket writes.
        self._refill = max(1, min(batch_size, max_in_flight // 2))
        self._mark_delay_s = mark_delay_s
        self._read_interval_s = read_interval_s
        self._last_read = float("-inf")
        self._before_read = before_read
        self._on_idle = on_idle
        self._clock = clock
        self._now = now
        self._on_closed = on_closed
        self._unmarked: set[int] = set()
        self._draining = False
        self._active = False
        self._warnings = ThrottledLog(log, WARNING_INTERVAL_S)
        self._read = LoopTimer(loop, self._pump)
        self._mark = LoopTimer(loop, self.mark_confirmed)

    @property
    def in_flight(self) -> int:
        return self._publisher.in_flight

    def start(self) -> None:
        self._active = True
        self._publisher.start(self)

    def stop_reading(self) -> None:
        """Publish nothing more, but keep collecting the confirms of what is in flight."""
        self._active = False
        self._read.cancel()

    def stop(self) -> None:
        """Stop publishing now: what is unconfirmed is forgotten; what is confirmed gets marked."""
        self._active = False
        self._read.cancel()
        self._mark.cancel()
        self._publisher.close()
        self.mark_confirmed()
        self._unmarked.clear()  # whoever leads next resends what could not be marked

    def wake(self) -> None:
        """New rows may have committed: read at once if the last read is `read_interval_s` old, else
        when it is, together with whatever else commits meanwhile.

        With an interval, a read that found several rows schedules the next one itself, an interval
        later: while commits keep coming, reads follow the clock and need no wake-up. A read that
        finds one row or none calls `on_idle`, and from then on a wake-up starts the next read, so
        that a lone commit costs one read, not two."""
        if self._active:
            self._read.schedule(max(0.0, self._last_read + self._read_interval_s - self._clock()))

    def mark_confirmed(self) -> None:
        """One UPDATE for every row confirmed since the last one; kept for a retry on failure."""
        if not self._unmarked:
            return
        seqs = list(self._unmarked)
        try:
            self._source.mark_published(seqs, self._now())
        except SQLAlchemyError as exc:
            self._warnings.warning("cannot mark %d rows published (will retry): %s", len(seqs), exc)
            return
        self._unmarked.difference_update(seqs)

    def _pump(self) -> None:
        if not (self._active and self._publisher.ready):
            return
        room = self._max_in_flight - self._publisher.in_flight
        if room < (self._refill if self._draining else 1):
            return  # while draining, confirms wake the pump once a refill fits
        limit = min(self._batch_size, room)
        if not self._before_read():
            return
        self._last_read = self._clock()
        try:
            events = self._source.pending(limit, self._publisher.in_flight_seqs() | self._unmarked)
        except SQLAlchemyError as exc:
            self._warnings.warning("cannot read the outbox (will retry): %s", exc)
            self._on_idle()
            return
        if events:
            self._publisher.publish(events)
        self._draining = len(events) == limit
        if len(events) == self._batch_size:
            self._read.schedule()  # a full batch: there is probably more
        elif len(events) > 1 and self._read_interval_s:
            self._read.schedule(self._read_interval_s)  # commits keep coming: read again on the clock
        elif not self._draining:
            self._on_idle()

    # PublisherEvents

    def on_ready(self) -> None:
        if self._active:
            self._read.schedule()

    def on_confirmed(self, seqs: list[int]) -> None:
        self._unmarked.update(seqs)
        self._mark.schedule(0.0 if len(self._unmarked) >= self._batch_size else self._mark_delay_s)
        if self._draining and self._active and self._max_in_flight - self._publisher.in_flight >= self._refill:
            self._read.schedule()

    def on_lost(self) -> None:
        self._draining = False

    def on_closed(self) -> None:
        self._on_closed()
