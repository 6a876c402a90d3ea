"""The consumer runner: one queue, consumed until SIGTERM, reconnecting after every outage."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from types import FrameType

from fastavro.types import Schema
from sqlalchemy import Engine

from items_events.batch_processor import BatchProcessor
from items_events.config import ConsumerConfig
from items_events.consuming_session import ConsumingSession
from items_events.event_decoder import EventDecoder, WriterSchemas
from items_events.event_handlers import EventHandlers
from items_events.processed_events import ProcessedEvents
from items_events.recovery import Recovery

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
SLEEP_STEP_S = 0.1


class ConsumerRunner:
    """`run()` blocks until `stop()` (or SIGTERM/SIGINT in the main thread), then returns normally."""

    def __init__(
        self,
        config: ConsumerConfig,
        handlers: EventHandlers,
        engine: Engine,
        *,
        writers: WriterSchemas,
        readers: Mapping[str, Schema] | None = None,
        recovery: Recovery | None = None,
    ) -> None:
        if not handlers.event_types():
            raise ValueError("register at least one handler")
        self._engine = engine
        self._recovery = recovery or Recovery()
        self._stopping = False
        processor = BatchProcessor(
            engine,
            EventDecoder(writers, readers),
            handlers,
            ProcessedEvents(config.queue, timedelta(days=config.processed_retention_days)),
        )
        self._session = ConsumingSession(
            config, processor, self._recovery, should_stop=lambda: self._stopping
        )

    def run(self) -> None:
        with self._stop_on_signals():
            table_ready = False
            while not self._stopping:
                try:
                    if not table_ready:
                        ProcessedEvents.create_table(self._engine)
                        table_ready = True
                    self._session.run()
                except Exception as exc:  # Recovery re-raises whatever is not an outage
                    self._sleep(self._recovery.delay_after(exc))
        log.info("consumer stopped")

    def stop(self) -> None:
        """Thread-safe and signal-safe: only sets a flag that the loop polls."""
        self._stopping = True

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(max(0.0, min(SLEEP_STEP_S, deadline - time.monotonic())))

    @contextmanager
    def _stop_on_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals reach only the main thread; whoever runs us elsewhere calls stop()
            return

        def stop(_signum: int, _frame: FrameType | None) -> None:
            log.info("stopping: finishing the messages in hand")
            self.stop()

        previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
