"""Applies a batch of deliveries: decoded, deduplicated and handled in one database transaction.

One transaction per batch rather than per message keeps the guarantee: every event's
effects and its `processed_events` row still commit together, and the broker hears
of none of them before that commit. A handler that raises rolls back the whole batch,
which is then applied again one message per transaction, so only the failing message
is requeued and its neighbours' effects are not lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from injector import Injector
from sqlalchemy import Engine

from adapters.database import WRITE
from consumer.delivery import Delivery, Outcome
from consumer.event_decoder import EventDecoder
from consumer.event_handlers import EventHandlers
from consumer.processed_events import ProcessedEvents
from consumer.received_event import ReceivedEvent
from consumer.recovery import is_dependency_outage
from eventing.errors import UndecodableEvent
from observability.metrics import CONSUMER_DEAD_LETTERED, CONSUMER_PROCESSED, CONSUMER_REDELIVERED
from observability.request_context import traceparent

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
        injector: Injector,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._decoder = decoder
        self._handlers = handlers
        self._ledger = ledger
        self._injector = injector
        self._now = now
        self._next_prune = 0.0

    def process(self, batch: Sequence[Delivery]) -> list[Outcome]:
        outcomes: list[Outcome] = [Outcome.ACK] * len(batch)
        events: list[Indexed] = []
        for index, delivery in enumerate(batch):
            try:
                writer = self._decoder.writer_of(delivery.body)
                if self._handlers.handles(writer.event_type):
                    events.append((index, self._decoder.decode(delivery, writer)))
            except UndecodableEvent as exc:
                log.error("dead-lettering message %s: %s", delivery.message_id, exc)
                CONSUMER_DEAD_LETTERED.inc()
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
        # WRITE makes SQLite take its write lock at BEGIN, so consumers sharing a file never deadlock.
        with self._engine.connect() as connection, connection.execution_options(**{WRITE: True}).begin():
            done = self._ledger.seen(connection, {event.event_id for event in events})
            dispatch = self._handlers.for_transaction(self._injector)
            fresh: list[str] = []
            for event in events:
                if event.event_id in done:
                    CONSUMER_REDELIVERED.inc()
                    continue  # a redelivery of something already applied: acked, not applied again
                done.add(event.event_id)
                # The producer's trace id reaches the handler's log lines: one write, followed end to end.
                token = traceparent.set(event.headers.get("traceparent"))
                try:
                    dispatch(event, connection)
                finally:
                    traceparent.reset(token)
                fresh.append(event.event_id)
            self._ledger.record(connection, fresh, self._now())
        applied = set(fresh)  # counted once committed, so a rolled-back batch counts nothing
        for event in events:
            if event.event_id in applied:
                CONSUMER_PROCESSED.labels(event.event_type).inc()

    def _prune_now_and_then(self) -> None:
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_INTERVAL_S
        with self._engine.begin() as connection:
            pruned = self._ledger.prune(connection, self._now())
        if pruned:
            log.info("forgot %d processed event ids past their retention", pruned)
