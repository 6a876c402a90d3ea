"""Idempotency-Key records in the `idempotency_keys` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from adapters.tables import idempotency_keys
from providers.ports import IdempotencyKeyTaken, IdempotencyStore, StoredResponse


class SqlIdempotencyStore(IdempotencyStore):
    """Rows written in the same transaction as the item they created."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, key: str) -> StoredResponse | None:
        row = self._connection.execute(
            select(idempotency_keys).where(idempotency_keys.c.key == key)
        ).first()
        if row is None:
            return None
        return StoredResponse(row.request_hash, row.status, row.item_id, row.response_body)

    def add(self, key: str, response: StoredResponse, now: datetime) -> None:
        values = {
            "key": key,
            "request_hash": response.request_hash,
            "status": response.status,
            "item_id": response.item_id,
            "response_body": response.body,
            "created_at": now,
        }
        try:
            self._connection.execute(insert(idempotency_keys).values(values))
        except IntegrityError as exc:
            raise IdempotencyKeyTaken(key) from exc

    def purge(self, older_than: datetime) -> int:
        statement = delete(idempotency_keys).where(idempotency_keys.c.created_at < older_than)
        return self._connection.execute(statement).rowcount
