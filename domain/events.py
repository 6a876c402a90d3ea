"""What an aggregate records when it changes; the outbox publishes every event after its commit.

A resource declares each of its events once, on the class:

    class ItemCreated(ItemEvent, schema="items.v1.ItemCreated", routing_key="item.created"): ...

`schema` is the full name of the event's Avro record (and its `ce-type`), `routing_key` is
where it is published, and the event itself says what it is about (`subject`, the aggregate
id), which version of it, when, and the record's fields. The event pipeline (outbox, relay,
schema registry, AsyncAPI) finds every declared event here and knows nothing else of it.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Protocol
from uuid import UUID

_DECLARED: dict[str, type[DomainEvent]] = {}


class DomainEvent(abc.ABC):
    """The state of an aggregate right after a committed write."""

    schema: ClassVar[str] = ""
    routing_key: ClassVar[str] = ""

    def __init_subclass__(cls, schema: str = "", routing_key: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not (schema or routing_key):
            return  # an abstract family of events, such as ItemEvent
        if not (schema and routing_key):
            raise TypeError(f"{cls.__name__} declares a schema and a routing key, or neither")
        if schema.rpartition(".")[2] != cls.__name__:
            raise TypeError(f"{cls.__name__}: the schema's simple name must be the event's name, not {schema}")
        if cls.__name__ in _DECLARED:
            raise TypeError(f"an event named {cls.__name__} is declared twice")
        cls.schema, cls.routing_key = schema, routing_key
        _DECLARED[cls.__name__] = cls

    @classmethod
    def name(cls) -> str:
        """The event's name, e.g. `ItemCreated`: the last part of its schema's full name."""
        return cls.__name__

    @property
    @abc.abstractmethod
    def aggregate_id(self) -> UUID: ...

    @property
    @abc.abstractmethod
    def aggregate_version(self) -> int: ...

    @property
    @abc.abstractmethod
    def occurred_at(self) -> datetime: ...

    @property
    def subject(self) -> str:
        """The CloudEvents subject: what the event is about."""
        return str(self.aggregate_id)

    @abc.abstractmethod
    def record(self) -> dict[str, Any]:
        """The fields of the event's Avro record."""


class Snapshot(Protocol):
    """What every aggregate state tells of itself."""

    @property
    def id(self) -> UUID: ...

    @property
    def version(self) -> int: ...

    @property
    def updated_at(self) -> datetime: ...


class SnapshotEvent(DomainEvent):
    """An event carrying the whole state of its aggregate right after the write, not a diff."""

    @property
    @abc.abstractmethod
    def snapshot(self) -> Snapshot: ...

    @property
    def aggregate_id(self) -> UUID:
        return self.snapshot.id

    @property
    def aggregate_version(self) -> int:
        return self.snapshot.version

    @property
    def occurred_at(self) -> datetime:
        return self.snapshot.updated_at


class Aggregate(Protocol):
    """What units of work need of an aggregate: the events it recorded since it was loaded."""

    events: list[DomainEvent]


def declared_events() -> list[type[DomainEvent]]:
    """Every event declared so far, in declaration order (their modules must have been imported)."""
    return list(_DECLARED.values())


def take_events(aggregates: Iterable[Aggregate]) -> list[DomainEvent]:
    """The events the aggregates recorded, in order, leaving them empty."""
    taken: list[DomainEvent] = []
    for aggregate in aggregates:
        taken.extend(aggregate.events)
        aggregate.events.clear()
    return taken
