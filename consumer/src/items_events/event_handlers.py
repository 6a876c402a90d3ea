"""Handler functions per event type, each called with the event and the open database transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from items_events.received_event import ReceivedEvent

Handler = Callable[[ReceivedEvent, Connection], None]
HandlerT = TypeVar("HandlerT", bound=Handler)


class EventHandlers:
    """`@handlers.on("items.v1.ItemCreated")` registers a plain function `(event, connection) -> None`.

    Event types are full Avro names, the events' `ce-type`. The handler writes its effects
    through `connection`, inside the transaction that also records the event as processed:
    both commit together or neither does. It must not commit, and should keep side effects
    outside the database to a minimum, since a failed transaction runs it again on redelivery.
    """

    def __init__(self) -> None:
        self._by_type: dict[str, list[Handler]] = {}

    def on(self, *event_types: str) -> Callable[[HandlerT], HandlerT]:
        simple = [event_type for event_type in event_types if "." not in event_type]
        if not event_types or simple:
            raise ValueError(f"name event types by their full name (ce-type), e.g. items.v1.ItemCreated: {simple}")

        def register(handler: HandlerT) -> HandlerT:
            for event_type in event_types:
                self._by_type.setdefault(event_type, []).append(handler)
            return handler

        return register

    def handles(self, event_type: str) -> bool:
        return event_type in self._by_type

    def event_types(self) -> frozenset[str]:
        return frozenset(self._by_type)

    def dispatch(self, event: ReceivedEvent, connection: Connection) -> None:
        for handler in self._by_type.get(event.event_type, ()):
            handler(event, connection)
