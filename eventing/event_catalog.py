"""The events this service publishes: each declared domain event with its current writer schema."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from domain.events import DomainEvent
from eventing.schema_registry import SchemaRegistry, UnknownEventType
from items_events.schemas import RegisteredSchema


@dataclass(frozen=True, slots=True)
class PublishedEvent:
    """One kind of event as consumers see it: its name, schema and routing key."""

    name: str
    routing_key: str
    schema: RegisteredSchema

    @property
    def full_name(self) -> str:
        """The schema's full Avro name, which is also the `ce-type`."""
        return self.schema.full_name


class EventCatalog:
    """Every declared event, each checked to have a writer schema when the catalog is built."""

    def __init__(self, events: Iterable[type[DomainEvent]], registry: SchemaRegistry) -> None:
        self.registry = registry
        self._events = {
            event.name(): PublishedEvent(event.name(), event.routing_key, registry.writer(event.schema))
            for event in events
        }

    @classmethod
    def load(cls, events: Iterable[type[DomainEvent]], schemas_dir: Path) -> EventCatalog:
        declared = list(events)
        return cls(declared, SchemaRegistry.load(schemas_dir, [event.schema for event in declared]))

    def __iter__(self) -> Iterator[PublishedEvent]:
        return iter(self._events.values())

    def names(self) -> list[str]:
        return list(self._events)

    def of(self, event: DomainEvent) -> PublishedEvent:
        try:
            return self._events[type(event).name()]
        except KeyError:
            raise UnknownEventType(f"{type(event).__name__} is not a declared event") from None
