"""Idempotency-Key records in the `idempotency_keys` table, one per caller and key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from adapters.tables import idempotency_keys
from providers.ports import IdempotencyKey, IdempotencyKeyTaken, IdempotencyStore, StoredOutcome


class SqlIdempotencyStore(IdempotencyStore):
    """Rows written in the same transaction as the resource they created."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, key: IdempotencyKey) -> StoredOutcome | None:
        table = idempotency_keys
        row = self._connection.execute(
            select(table).where(table.c.caller == key.caller, table.c.key == key.key)
        ).first()
        if row is None:
            return None
        return StoredOutcome(row.request_hash, row.resource_id, row.version, row.response_body)

    def add(self, key: IdempotencyKey, outcome: StoredOutcome, now: datetime) -> None:
        values = {
            "caller": key.caller,
            "key": key.key,
            "request_hash": outcome.request_hash,
            "resource_id": outcome.resource_id,
            "version": outcome.version,
            "response_body": outcome.body,
            "created_at": now,
        }
        try:
            self._connection.execute(insert(idempotency_keys).values(values))
        except IntegrityError as exc:
            raise IdempotencyKeyTaken(key.key) from exc

    def purge(self, older_than: datetime) -> int:
        statement = delete(idempotency_keys).where(idempotency_keys.c.created_at < older_than)
        return int(self._connection.execute(statement).rowcount)
