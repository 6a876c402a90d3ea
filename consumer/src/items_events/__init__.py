"""Consuming the Items service's events: your own quorum queue, Avro decoding, exactly-once effects.

A consumer is a file of handlers, a queue name and a broker URL:

    handlers = EventHandlers()

    @handlers.on("items.v1.ItemCreated")
    def created(event: ReceivedEvent, connection: Connection) -> None: ...

    ConsumerRunner(ConsumerConfig(queue="my-service", amqp_url=...), handlers,
                   create_consumer_engine("sqlite:///my.db"),
                   writers=FetchingWriterSchemas("https://items.example.com/v1/schemas")).run()
"""

from items_events.config import ConsumerConfig
from items_events.database import create_consumer_engine
from items_events.errors import UndecodableEvent, UnknownSchema
from items_events.event_handlers import EventHandlers
from items_events.log_context import EventLogFilter
from items_events.processed_events import ProcessedEvents
from items_events.reader_schemas import load_reader_schemas
from items_events.received_event import ReceivedEvent
from items_events.runner import ConsumerRunner
from items_events.schemas import KnownWriterSchemas, RegisteredSchema
from items_events.writer_schemas import FetchingWriterSchemas, SchemaServiceUnavailable

__all__ = [
    "ConsumerConfig",
    "ConsumerRunner",
    "EventHandlers",
    "EventLogFilter",
    "FetchingWriterSchemas",
    "KnownWriterSchemas",
    "ProcessedEvents",
    "ReceivedEvent",
    "RegisteredSchema",
    "SchemaServiceUnavailable",
    "UndecodableEvent",
    "UnknownSchema",
    "create_consumer_engine",
    "load_reader_schemas",
]
