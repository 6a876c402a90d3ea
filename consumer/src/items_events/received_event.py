"""A decoded event as handlers receive it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from items_events.cloudevents import SUBJECT_HEADER, TIME_HEADER, TRACEPARENT_HEADER


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """One event, its record read with the consumer's own reader schema."""

    event_id: str
    """`ce-id`: the same on every redelivery and replay; the runner deduplicates on it."""
    event_type: str
    """The writer schema's full Avro name, equal to `ce-type`, e.g. `items.v1.ItemUpdated`."""
    record: dict[str, Any]
    headers: Mapping[str, Any]
    redelivered: bool
    exchange: str = ""
    """The exchange it was published to (empty for the default exchange, which a replay uses)."""
    routing_key: str = ""

    @property
    def subject(self) -> str | None:
        """`ce-subject`: the id of the resource the event is about."""
        value = self.headers.get(SUBJECT_HEADER)
        return None if value is None else str(value)

    @property
    def time(self) -> str | None:
        """`ce-time`: when the write happened (RFC 3339, UTC)."""
        value = self.headers.get(TIME_HEADER)
        return None if value is None else str(value)

    @property
    def traceparent(self) -> str | None:
        """The W3C trace context of the write that produced the event, when there was one."""
        value = self.headers.get(TRACEPARENT_HEADER)
        return None if value is None else str(value)
