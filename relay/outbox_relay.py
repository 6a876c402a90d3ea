"""The relay: campaigns for leadership, and while it leads, pumps the outbox to the broker.

Threading: everything runs on one thread, the pika ioloop's. Database calls run
between loop iterations and block it briefly (a read of one batch, one UPDATE per
batch of confirms); meanwhile the broker keeps working through the messages already
in flight, so a window of a few hundred in-flight messages hides those pauses. One
thread means no locks and no handoffs: the in-flight and confirmed-but-unmarked sets
and the pika objects are only ever touched here. `stop()` is the one thread-safe entry.

Wake-ups: the leadership's descriptor (PostgreSQL LISTEN) turns readable on commit;
a periodic tick polls as a fallback (the only wake-up on SQLite) and checks that the
lock is still held; a full batch or a freed confirm window reads again at once.
Under a steady trickle, the cost is per read, not per event: a wake-up, a drain of the
notifications, a query, a socket write and a broker ack each time. So reads are paced:
an idle relay reads at the first commit's wake-up, and then, while reads keep finding several
rows, once per `read_interval_s` on the clock; meanwhile the descriptor is not watched at all,
and the notifications that arrived are drained once, just before each read. A read that finds
one row or none goes back to watching the descriptor.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pika.adapters.select_connection import IOLoop
from sqlalchemy.exc import SQLAlchemyError

from relay.descriptor_watch import DescriptorWatch
from relay.event_pump import EventPump
from relay.leadership import Leadership, LeadershipLost
from relay.loop_timer import LoopTimer
from relay.outbox_source import OutboxSource
from relay.publisher import ConfirmingPublisher
from relay.relay_options import RelayOptions
from relay.retention import Retention

log = logging.getLogger(__name__)

LEADER_MESSAGE = "this relay is the leader"
ABDICATION_PREFIX = "stopped publishing"
RELEASED_MESSAGE = "giving up the lead: the relay is stopping"
"""The log lines that start and end a lead; operators and the tests read them."""


class OutboxRelay:
    """Publishes every committed outbox row at least once, in seq order, while it leads."""

    def __init__(
        self,
        loop: IOLoop,
        source: OutboxSource,
        publisher: ConfirmingPublisher,
        leadership: Leadership,
        retention: Retention,
        options: RelayOptions,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._loop = loop
        self._leadership = leadership
        self._retention = retention
        self._options = options
        self._now = now
        self._wakeups = DescriptorWatch(loop, self._on_wakeup)
        self._pump = EventPump(
            loop,
            source,
            publisher,
            options.batch_size,
            options.max_in_flight,
            options.mark_delay_s,
            now,
            self._closed,
            read_interval_s=options.read_interval_s,
            before_read=self._take_wakeups,
            on_idle=self._wakeups.resume,
        )
        self._leading = False
        self._stopping = False
        self._stop_deadline = 0.0
        self._campaign_timer = LoopTimer(loop, self._campaign)
        self._tick_timer = LoopTimer(loop, self._tick)
        self._retention_timer = LoopTimer(loop, self._purge)
        self._stop_timer = LoopTimer(loop, self._finish_stop)

    @property
    def leading(self) -> bool:
        return self._leading

    def run(self) -> None:
        """Run until `stop()`; raises only on a bug (the supervisor restarts the process)."""
        self._campaign_timer.schedule()
        try:
            self._loop.start()
        finally:
            if self._leading:  # said before the lock goes: no successor can log its lead earlier
                log.info(RELEASED_MESSAGE)
            self._wakeups.forget()
            self._leadership.release()
            self._loop.close()

    def stop(self) -> None:
        """Thread-safe: finish what is in flight (up to a grace period), then return from `run()`."""
        self._loop.add_callback_threadsafe(self._begin_stop)

    def _campaign(self) -> None:
        if self._stopping:
            return
        if not self._leadership.try_acquire():
            self._campaign_timer.schedule(self._options.campaign_interval_s)
            return
        log.info(LEADER_MESSAGE)
        self._leading = True
        self._wakeups.watch(self._leadership.wakeup_fd())
        self._pump.start()
        self._tick_timer.schedule(self._options.poll_interval_s)
        self._retention_timer.schedule(self._options.campaign_interval_s)

    def _abdicate(self, lost: LeadershipLost) -> None:
        log.error("%s: %s", ABDICATION_PREFIX, lost)
        self._leading = False
        self._wakeups.forget()
        self._leadership.release()
        self._pump.stop()
        self._tick_timer.cancel()
        self._retention_timer.cancel()
        self._campaign_timer.schedule(self._options.campaign_interval_s)

    def _on_wakeup(self) -> None:
        # Left unread until the read: commits until then need no wake-up of their own.
        self._wakeups.pause()
        self._pump.wake()

    def _take_wakeups(self) -> bool:
        """Before each read: consume the notifications so far (False: lost the lead). The watch
        resumes when the pump goes idle: while reads find rows, they follow the clock instead."""
        if not self._wakeups.paused:
            return True
        try:
            self._leadership.drain_wakeups()
        except LeadershipLost as lost:
            self._abdicate(lost)
            return False
        return True

    def _tick(self) -> None:
        try:
            self._leadership.verify()
        except LeadershipLost as lost:
            self._abdicate(lost)
            return
        self._pump.mark_confirmed()  # retries a mark that failed
        self._pump.wake()
        self._tick_timer.schedule(self._options.poll_interval_s)

    def _purge(self) -> None:
        try:
            deleted = self._retention.run(self._now())
        except SQLAlchemyError as exc:
            log.warning("retention failed (will retry): %s", exc)
            deleted = 0
        if deleted:
            log.info("deleted %d published outbox rows past retention", deleted)
        self._retention_timer.schedule(self._options.retention_interval_s)

    def _begin_stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        self._stop_deadline = time.monotonic() + self._options.stop_grace_s
        for timer in (self._campaign_timer, self._tick_timer, self._retention_timer):
            timer.cancel()
        if self._leading:
            self._pump.stop_reading()
            self._finish_stop()
        else:
            self._loop.stop()

    def _finish_stop(self) -> None:
        """Wait for outstanding confirms (bounded), then stop the pump; `_closed` ends the loop."""
        if self._pump.in_flight and time.monotonic() < self._stop_deadline:
            self._stop_timer.schedule(0.02)
            return
        self._wakeups.forget()
        self._pump.stop()

    def _closed(self) -> None:
        if self._stopping:
            self._loop.stop()
