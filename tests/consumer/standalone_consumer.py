"""A consumer as another team writes it: `items_events`, SQLAlchemy and the standard library, nothing else.

The tests copy this file out of the repository and run it with a virtual environment that has
only `pip install items-events` in it. It records each event it handles in its own SQLite file.
Configured by STANDALONE_AMQP_URL, _EXCHANGE, _QUEUE, _SCHEMAS_URL and _DATABASE_URL.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from sqlalchemy import Column, Connection, MetaData, String, Table, insert

from items_events import (
    ConsumerConfig,
    ConsumerRunner,
    EventHandlers,
    FetchingWriterSchemas,
    ReceivedEvent,
    create_consumer_engine,
)

BINDINGS = ("item.*", "category.*")
ITEM_EVENTS = ("items.v1.ItemCreated", "items.v1.ItemUpdated", "items.v1.ItemDeleted")
CATEGORY_EVENTS = ("categories.v1.CategoryCreated", "categories.v1.CategoryUpdated", "categories.v1.CategoryDeleted")

metadata = MetaData()
handled = Table(
    "handled",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("resource_id", String(36), nullable=False),
    Column("name", String(200), nullable=False),
)
handlers = EventHandlers()


@handlers.on(*ITEM_EVENTS)
def item_event(event: ReceivedEvent, connection: Connection) -> None:
    record(event, event.record["item"], connection)


@handlers.on(*CATEGORY_EVENTS)
def category_event(event: ReceivedEvent, connection: Connection) -> None:
    record(event, event.record["category"], connection)


def record(event: ReceivedEvent, state: dict[str, object], connection: Connection) -> None:
    row = {"event_id": event.event_id, "event_type": event.event_type, "resource_id": str(state["id"])}
    connection.execute(insert(handled).values(**row, name=str(state["name"])))


def config_from(environment: Mapping[str, str]) -> ConsumerConfig:
    return ConsumerConfig(
        queue=environment["STANDALONE_QUEUE"],
        bindings=BINDINGS,
        amqp_url=environment["STANDALONE_AMQP_URL"],
        exchange=environment["STANDALONE_EXCHANGE"],
    )


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("pika").setLevel(logging.WARNING)
    engine = create_consumer_engine(os.environ["STANDALONE_DATABASE_URL"])
    metadata.create_all(engine)
    writers = FetchingWriterSchemas(os.environ["STANDALONE_SCHEMAS_URL"])
    try:
        ConsumerRunner(config_from(os.environ), handlers, engine, writers=writers).run()
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
