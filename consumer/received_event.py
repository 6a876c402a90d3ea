"""A decoded event as handlers receive it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """One event, its record read with the consumer's own reader schema."""

    event_id: str
    """`ce-id`: the same on every redelivery; the runner deduplicates on it."""
    event_type: str
    """The record's simple name, e.g. `ItemUpdated`."""
    record: dict[str, Any]
    headers: Mapping[str, Any]
    redelivered: bool

    @property
    def item(self) -> dict[str, Any]:
        """The item's whole state after the write."""
        item: dict[str, Any] = self.record["item"]
        return item

    @property
    def version(self) -> int:
        """The item's version: keep the highest applied per item and ignore anything not above it."""
        return int(self.item["version"])
