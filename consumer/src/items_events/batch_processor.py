"""Applies a batch of deliveries: decoded, deduplicated and handled in one database transaction.

One transaction per batch rather than per message keeps the guarantee: every event's
effects and its `processed_events` row still commit together, and the broker hears
of none of them before that commit. A handler that raises rolls back the whole batch,
which is then applied again one message per transaction, so only the failing message
is requeued and its neighbours' effects are not lost.

A commit can succeed on the server while its reply is lost (the primary fails over just
then). The batch is retried and its events are found in the ledger; they were applied by
that commit, so they are counted as processed, once, and not as redeliveries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from items_events import metrics
from items_events.delivery import Delivery, Outcome
from items_events.errors import UndecodableEvent
from items_events.event_decoder import EventDecoder
from items_events.event_handlers import EventHandlers
from items_events.log_context import handling
from items_events.processed_events import ProcessedEvents
from items_events.received_event import ReceivedEvent
from items_events.recovery import is_dependency_outage
from items_events.tracing import processing

log = logging.getLogger(__name__)

PRUNE_INTERVAL_S = 3600.0
Indexed = tuple[int, ReceivedEvent]
"""An event with its delivery's position in the batch."""


class BatchProcessor:
    """Decides the outcome of each delivery; raises only for a dependency outage (or a bug)."""

    def __init__(
        self,
        engine: Engine,
        decoder: EventDecoder,
        handlers: EventHandlers,
        ledger: ProcessedEvents,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._decoder = decoder
        self._handlers = handlers
        self._ledger = ledger
        self._now = now
        self._next_prune = 0.0
        self._in_doubt: set[str] = set()
        """Ids of the batch whose transaction last met a database outage: it may have committed."""

    def process(self, batch: Sequence[Delivery]) -> list[Outcome]:
        outcomes: list[Outcome] = [Outcome.ACK] * len(batch)
        events: list[Indexed] = []
        for index, delivery in enumerate(batch):
            try:
                writer = self._decoder.writer_of(delivery.body)
                if self._handlers.handles(writer.full_name):
                    events.append((index, self._decoder.decode(delivery, writer)))
                else:
                    # Acked and dropped: bind narrower patterns to receive fewer of them.
                    log.debug("no handler for %s; acked without applying", writer.full_name)
                    metrics.IGNORED.labels(writer.full_name).inc()
            except UndecodableEvent as exc:
                log.error("dead-lettering message %s: %s", delivery.message_id, exc)
                metrics.DEAD_LETTERED.inc()
                outcomes[index] = Outcome.DEAD_LETTER
        if events:
            self._apply_batch(events, outcomes)
        self._prune_now_and_then()
        return outcomes

    def _apply_batch(self, events: list[Indexed], outcomes: list[Outcome]) -> None:
        try:
            self._apply([event for _, event in events])
        except Exception as exc:
            if is_dependency_outage(exc) or len(events) == 1:
                self._requeue_or_raise(exc, events, outcomes)
                return
            for index, event in events:
                try:
                    self._apply([event])
                except Exception as single:  # whatever a handler raises fails only its own message
                    self._requeue_or_raise(single, [(index, event)], outcomes)

    @staticmethod
    def _requeue_or_raise(exc: Exception, events: list[Indexed], outcomes: list[Outcome]) -> None:
        if is_dependency_outage(exc):
            raise exc
        for index, event in events:
            log.error("handling %s %s failed; requeued", event.event_type, event.event_id, exc_info=exc)
            outcomes[index] = Outcome.REQUEUE

    def _apply(self, events: list[ReceivedEvent]) -> None:
        try:
            applied = self._apply_once(events)
        except Exception as exc:
            if is_dependency_outage(exc):
                self._in_doubt = {event.event_id for event in events}
            raise
        self._in_doubt.clear()
        for event in applied:  # counted once committed, so a rolled-back batch counts nothing
            metrics.PROCESSED.labels(event.event_type).inc()

    def _apply_once(self, events: list[ReceivedEvent]) -> list[ReceivedEvent]:
        """One transaction; the events it applied, or that the in-doubt commit before it did."""
        applied: list[ReceivedEvent] = []
        with self._engine.begin() as connection:
            done = self._ledger.seen(connection, {event.event_id for event in events})
            fresh: list[ReceivedEvent] = []
            for event in events:
                if event.event_id in done:
                    if event.event_id in self._in_doubt:
                        self._in_doubt.discard(event.event_id)
                        applied.append(event)
                    else:
                        metrics.REDELIVERED.inc()
                    continue  # a copy of something already applied (maybe in this batch): acked, not applied again
                done.add(event.event_id)
                with handling(event), processing(event):
                    self._handlers.dispatch(event, connection)
                fresh.append(event)
            self._ledger.record(connection, [event.event_id for event in fresh], self._now())
        return applied + fresh

    def _prune_now_and_then(self) -> None:
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_INTERVAL_S
        with self._engine.begin() as connection:
            pruned = self._ledger.prune(connection, self._now())
        if pruned:
            log.info("forgot %d processed event ids past their retention", pruned)
