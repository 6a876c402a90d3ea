"""ItemsProvider: every use case of the Items API, written against the unit-of-work port."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.errors import (
    ConcurrentModification,
    DuplicateSku,
    IdempotencyKeyReused,
    ItemNotFound,
    PreconditionFailed,
)
from domain.item import Item
from domain.merge_patch import merge_patch
from providers.etags import if_match_allows
from providers.item_representation import represent
from providers.item_validator import ItemValidator
from providers.pagination import decode_cursor, encode_cursor
from providers.ports import IdempotencyKeyTaken, ListQuery, StoredResponse, Transaction, UnitOfWork

_WRITE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Created:
    """A create's response: the serialized item, first given or replayed."""

    item_id: UUID
    version: int
    body: str
    replayed: bool


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Item]
    next_cursor: str | None


class ItemsProvider:
    """Creates, reads, lists, patches and deletes items; each write is one transaction."""

    def __init__(
        self,
        uow: UnitOfWork,
        validator: ItemValidator,
        new_id: Callable[[], UUID],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow = uow
        self._validator = validator
        self._new_id = new_id
        self._clock = clock

    def create(self, fields: dict[str, Any], idempotency_key: str | None = None) -> Created:
        request_hash = _fingerprint(fields) if idempotency_key else ""
        try:
            with self._uow.write() as tx:
                stored = tx.idempotency.get(idempotency_key) if idempotency_key else None
                if stored is not None:
                    return _replay(stored, request_hash)
                return self._insert(tx, fields, idempotency_key, request_hash)
        except (DuplicateSku, IdempotencyKeyTaken):
            # A concurrent request with the same key may have won the race: answer as it did.
            if idempotency_key:
                with self._uow.read() as tx:
                    stored = tx.idempotency.get(idempotency_key)
                if stored is not None:
                    return _replay(stored, request_hash)
            raise

    def get(self, item_id: UUID) -> Item:
        with self._uow.read() as tx:
            item = tx.items.get(item_id)
        if item is None:
            raise ItemNotFound(f"no item has id {item_id}")
        return item

    def list(self, limit: int, cursor: str | None, tag: str | None, text: str | None) -> Page:
        after = decode_cursor(cursor) if cursor else None
        query = ListQuery(limit=limit + 1, after=after, tag=tag, text=text)
        with self._uow.read() as tx:
            found = tx.items.list_page(query)
        page = found[:limit]
        more = len(found) > limit
        return Page(page, encode_cursor(page[-1].id) if more else None)

    def patch(self, item_id: UUID, patch: dict[str, Any], if_match: str | None) -> Item:
        def change(tx: Transaction, item: Item) -> bool:
            merged = merge_patch(item.client_fields(), patch)
            self._validator.check(merged)
            if merged == item.client_fields():
                return False
            item.replace(merged, self._clock())
            return tx.items.save(item, item.version - 1)

        return self._write_existing(item_id, if_match, change)

    def delete(self, item_id: UUID, if_match: str | None) -> None:
        def remove(tx: Transaction, item: Item) -> bool:
            item.delete(self._clock())
            return tx.items.remove(item, item.version - 1)

        self._write_existing(item_id, if_match, remove)

    def _insert(
        self, tx: Transaction, fields: dict[str, Any], key: str | None, request_hash: str
    ) -> Created:
        item = Item.create(self._new_id(), fields, self._clock())
        tx.items.add(item)
        body = json.dumps(represent(item), separators=(",", ":"))
        if key:
            tx.idempotency.add(key, StoredResponse(request_hash, 201, item.id, body), item.created_at)
        tx.commit()
        return Created(item.id, item.version, body, replayed=False)

    def _write_existing(
        self, item_id: UUID, if_match: str | None, write: Callable[[Transaction, Item], bool]
    ) -> Item:
        """Optimistic concurrency: a write lost to a concurrent one is retried from a fresh read."""
        for _ in range(_WRITE_ATTEMPTS):
            with self._uow.write() as tx:
                item = tx.items.get(item_id)
                if item is None:
                    raise ItemNotFound(f"no item has id {item_id}")
                if not if_match_allows(if_match, item.version):
                    raise PreconditionFailed(
                        f"If-Match {if_match} does not match the current version {item.version}"
                    )
                unchanged_version = item.version
                if write(tx, item):
                    tx.commit()
                    return item
                if item.version == unchanged_version:
                    return item
        raise ConcurrentModification(f"item {item_id} kept changing; retry the request")


def _fingerprint(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _replay(stored: StoredResponse, request_hash: str) -> Created:
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused("this Idempotency-Key was used with a different request body")
    return Created(stored.item_id, json.loads(stored.body)["version"], stored.body, replayed=True)
