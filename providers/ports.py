"""Abstract ports of the service layer; adapters implement them and tests fake them."""

from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.events import ItemEvent
from domain.item import Item


@dataclass(frozen=True, slots=True)
class ListQuery:
    """One page request: keyset position plus filters."""

    limit: int
    after: UUID | None = None
    tag: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The response first given to an Idempotency-Key, replayed to later requests."""

    request_hash: str
    status: int
    item_id: UUID
    body: str


class ItemsRepository(abc.ABC):
    """Items by id; every item it hands out or takes in is tracked for its events."""

    def __init__(self) -> None:
        self.seen: list[Item] = []

    def get(self, item_id: UUID) -> Item | None:
        item = self._get(item_id)
        if item is not None:
            self.seen.append(item)
        return item

    def add(self, item: Item) -> None:
        self._add(item)
        self.seen.append(item)

    @abc.abstractmethod
    def _get(self, item_id: UUID) -> Item | None: ...

    @abc.abstractmethod
    def _add(self, item: Item) -> None:
        """Insert; raises `DuplicateSku` when the sku is taken."""

    @abc.abstractmethod
    def save(self, item: Item, expected_version: int) -> bool:
        """Write `item` if the stored version is still `expected_version`; False otherwise."""

    @abc.abstractmethod
    def remove(self, item: Item, expected_version: int) -> bool:
        """Delete if the stored version is still `expected_version`; False otherwise."""

    @abc.abstractmethod
    def sku_exists(self, sku: str) -> bool: ...

    @abc.abstractmethod
    def list_page(self, query: ListQuery) -> list[Item]:
        """Up to `query.limit` items after `query.after`, in id order."""


class IdempotencyKeyTaken(Exception):
    """Another request stored the same Idempotency-Key first."""


class IdempotencyStore(abc.ABC):
    """Remembers the response given to each Idempotency-Key."""

    @abc.abstractmethod
    def get(self, key: str) -> StoredResponse | None: ...

    @abc.abstractmethod
    def add(self, key: str, response: StoredResponse, now: datetime) -> None:
        """Store the response; raises `IdempotencyKeyTaken` if the key is already stored."""

    @abc.abstractmethod
    def purge(self, older_than: datetime) -> int: ...


class Transaction(abc.ABC):
    """One database transaction; leaving it without `commit()` rolls it back."""

    items: ItemsRepository
    idempotency: IdempotencyStore

    def commit(self) -> None:
        """Write the events the touched items recorded, then commit, atomically."""
        events = [event for item in self.items.seen for event in item.events]
        self._commit(events)
        for item in self.items.seen:
            item.events.clear()

    @abc.abstractmethod
    def _commit(self, events: list[ItemEvent]) -> None: ...


class UnitOfWork(abc.ABC):
    """Opens transactions: `with uow.write() as tx: ...; tx.commit()`."""

    @abc.abstractmethod
    def read(self) -> AbstractContextManager[Transaction]: ...

    @abc.abstractmethod
    def write(self) -> AbstractContextManager[Transaction]: ...
