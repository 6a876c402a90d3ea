"""Idempotency-Key records in the `idempotency_keys` table, one per caller and key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select

from adapters.sql_session import SqlSession
from adapters.tables import idempotency_keys
from providers.ports import IdempotencyKey, IdempotencyKeyTaken, IdempotencyStore, StoredOutcome

_SELECT = select(idempotency_keys).where(
    idempotency_keys.c.caller == bindparam("caller"), idempotency_keys.c.key == bindparam("key")
)


class SqlIdempotencyStore(IdempotencyStore):
    """Rows written in the same transaction as the resource they created."""

    def __init__(self, session: SqlSession) -> None:
        self._session = session

    def get(self, key: IdempotencyKey) -> StoredOutcome | None:
        row = self._session.read(_SELECT, {"caller": key.caller, "key": key.key}).first()
        if row is None:
            return None
        return StoredOutcome(row.request_hash, row.resource_id, row.version, row.response_body)

    def add(self, key: IdempotencyKey, outcome: StoredOutcome, now: datetime) -> None:
        """Stored at commit, with the resource: a key stored first by another request raises then."""
        values = {
            "caller": key.caller,
            "key": key.key,
            "request_hash": outcome.request_hash,
            "resource_id": outcome.resource_id,
            "version": outcome.version,
            "response_body": outcome.body,
            "created_at": now,
        }
        self._session.insert(idempotency_keys, [values], lambda _error: IdempotencyKeyTaken(key.key))


def purge_idempotency_keys(connection: Connection, older_than: datetime) -> int:
    """Delete the records stored before `older_than`; returns how many."""
    statement = delete(idempotency_keys).where(idempotency_keys.c.created_at < older_than)
    return int(connection.execute(statement).rowcount)
