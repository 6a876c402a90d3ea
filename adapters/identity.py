"""The real clock and id source of the service."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from uuid6 import uuid7

from providers.ports import Clock, IdSource


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidV7Ids(IdSource):
    """UUIDv7 ids sort by creation time, so keyset pages follow insertion order and indexes stay append-only."""

    def new_id(self) -> UUID:
        return uuid7()
