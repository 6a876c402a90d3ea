"""Runs a consumer on a thread of the test process, and waits for what it should do."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

from fastavro.types import Schema
from sqlalchemy import Connection

from items_events import ConsumerConfig, ConsumerRunner, EventHandlers, ReceivedEvent, create_consumer_engine
from tests.background import in_background
from tests.consumer.item_events import service_writers
from tests.waiting import wait_until


def running(runner: ConsumerRunner) -> AbstractContextManager[ConsumerRunner]:
    """The runner on a thread; stopped, and checked stopped without a crash, on exit."""
    return in_background(runner, "consumer")


def handled_events(
    config: ConsumerConfig, readers: Mapping[str, Schema], count: int, directory: Path
) -> list[ReceivedEvent]:
    """Consume with these reader schemas until `count` events of their types were handled; returns them.

    The consumer's ledger is a SQLite file in `directory`; its writer schemas are every one the service had.
    """
    seen: list[ReceivedEvent] = []
    handlers = EventHandlers()

    @handlers.on(*readers)
    def remember(event: ReceivedEvent, _connection: Connection) -> None:
        seen.append(event)

    engine = create_consumer_engine(f"sqlite:///{directory / 'consumer.db'}")
    runner = ConsumerRunner(config, handlers, engine, writers=service_writers(), readers=readers)
    try:
        with running(runner):
            wait_until(lambda: len(seen) >= count, f"{count} events handled")
    finally:
        engine.dispose()
    return seen
