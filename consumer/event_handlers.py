"""Handler functions per event type, called with the event, the open transaction and injected dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from injector import Injector, get_bindings
from sqlalchemy import Connection

from consumer.received_event import ReceivedEvent
from eventing.item_events import ITEM_EVENT_CLASSES

Handler = TypeVar("Handler", bound=Callable[..., None])
ROUTING_KEYS: dict[str, str] = {event.type_name: event.routing_key for event in ITEM_EVENT_CLASSES}


Dispatch = Callable[[ReceivedEvent, Connection], None]
"""Runs the handlers of one event inside the current transaction."""


class EventHandlers:
    """`@handlers.on("ItemCreated")` registers a plain function `(event, connection, dep: Inject[T], ...)`.

    The handler writes its effects through `connection`, inside the transaction that
    also records the event as processed: both commit together or neither does. It must
    not commit, and should keep side effects outside the database to a minimum, since
    a failed transaction runs the handler again on redelivery.
    """

    def __init__(self) -> None:
        # Each handler with its `Inject[...]` parameters, read once at registration.
        self._by_type: dict[str, list[tuple[Callable[..., Any], dict[str, Any]]]] = {}

    def on(self, *event_types: str) -> Callable[[Handler], Handler]:
        unknown = [event_type for event_type in event_types if event_type not in ROUTING_KEYS]
        if not event_types or unknown:
            raise ValueError(f"unknown event types {unknown}; expected some of {sorted(ROUTING_KEYS)}")

        def register(handler: Handler) -> Handler:
            bindings = get_bindings(handler)
            for event_type in event_types:
                self._by_type.setdefault(event_type, []).append((handler, bindings))
            return handler

        return register

    def handles(self, event_type: str) -> bool:
        return event_type in self._by_type

    def routing_keys(self) -> tuple[str, ...]:
        """The keys to bind for the handled event types."""
        return tuple(sorted(ROUTING_KEYS[event_type] for event_type in self._by_type))

    def for_transaction(self, injector: Injector) -> Dispatch:
        """A dispatcher whose handlers get their dependencies resolved once, for this one transaction.

        The injector resolves them exactly as `call_with_injection` would (the same
        `args_to_inject` on the same bindings), but per transaction rather than per event:
        at a few thousand events a second, introspecting the handler's signature on
        every call cost a fifth of the consumer's time.
        """
        resolved: dict[Callable[..., Any], dict[str, Any]] = {}

        def dispatch(event: ReceivedEvent, connection: Connection) -> None:
            for handler, bindings in self._by_type.get(event.event_type, ()):
                if handler not in resolved:
                    resolved[handler] = (
                        injector.args_to_inject(function=handler, bindings=bindings, owner_key=handler.__module__)
                        if bindings
                        else {}
                    )
                handler(event, connection, **resolved[handler])

        return dispatch
