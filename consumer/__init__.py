"""Consuming our item events: a quorum queue of one's own, Avro decoding, idempotent handlers."""

from consumer.config import ConsumerConfig
from consumer.event_handlers import EventHandlers
from consumer.reader_schemas import load_reader_schemas
from consumer.received_event import ReceivedEvent
from consumer.runner import ConsumerRunner

__all__ = ["ConsumerConfig", "ConsumerRunner", "EventHandlers", "ReceivedEvent", "load_reader_schemas"]
