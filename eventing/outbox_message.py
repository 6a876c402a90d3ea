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
        """Column values for `outbox.insert()`, the fields themselves.

        Not `dataclasses.asdict`: it deep-copies every value (the UUIDs, the datetime, the
        payload and the headers), about 5 % of a POST's CPU, for a row that is only read.
        """
        return {name: getattr(self, name) for name in _COLUMNS}


_COLUMNS = tuple(field.name for field in dataclasses.fields(OutboxMessage))
