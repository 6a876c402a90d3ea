"""An encoded event as the outbox stores it, one field per column."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A row of the `outbox` table except the columns the database and the relay fill."""

    event_id: UUID
    aggregate_id: UUID
    aggregate_version: int
    event_type: str
    routing_key: str
    payload: bytes
    schema_fingerprint: str
    headers: dict[str, str]
    occurred_at: datetime

    def as_row(self) -> dict[str, Any]:
        """Column values for `outbox.insert()`."""
        return dataclasses.asdict(self)
