"""In-memory fakes of the service-layer ports (fakes, not mocks)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from uuid import UUID

from domain.errors import DuplicateSku
from domain.events import ItemEvent
from domain.item import Item
from providers.ports import (
    IdempotencyKeyTaken,
    IdempotencyStore,
    ItemsRepository,
    ListQuery,
    StoredResponse,
    Transaction,
    UnitOfWork,
)


class FakeItemsRepository(ItemsRepository):
    def __init__(self, rows: dict[UUID, Item]) -> None:
        super().__init__()
        self._rows = rows

    def _get(self, item_id: UUID) -> Item | None:
        item = self._rows.get(item_id)
        return item.snapshot() if item else None

    def _add(self, item: Item) -> None:
        if self.sku_exists(item.sku):
            raise DuplicateSku(f"sku {item.sku} exists")
        self._rows[item.id] = item.snapshot()

    def save(self, item: Item, expected_version: int) -> bool:
        stored = self._rows.get(item.id)
        if stored is None or stored.version != expected_version:
            return False
        if any(other.sku == item.sku and other.id != item.id for other in self._rows.values()):
            raise DuplicateSku(f"sku {item.sku} exists")
        self._rows[item.id] = item.snapshot()
        return True

    def remove(self, item: Item, expected_version: int) -> bool:
        stored = self._rows.get(item.id)
        if stored is None or stored.version != expected_version:
            return False
        del self._rows[item.id]
        return True

    def sku_exists(self, sku: str) -> bool:
        return any(item.sku == sku for item in self._rows.values())

    def list_page(self, query: ListQuery) -> list[Item]:
        found = sorted(self._rows.values(), key=lambda item: item.id)
        if query.after:
            found = [item for item in found if item.id > query.after]
        if query.tag:
            found = [item for item in found if query.tag in item.tags]
        if query.text:
            text = query.text.lower()
            found = [item for item in found if text in item.name.lower() or text in item.sku.lower()]
        return [item.snapshot() for item in found[: query.limit]]


class FakeIdempotencyStore(IdempotencyStore):
    def __init__(self, rows: dict[str, StoredResponse]) -> None:
        self._rows = rows

    def get(self, key: str) -> StoredResponse | None:
        return self._rows.get(key)

    def add(self, key: str, response: StoredResponse, now: datetime) -> None:
        if key in self._rows:
            raise IdempotencyKeyTaken(key)
        self._rows[key] = response

    def purge(self, older_than: datetime) -> int:
        return 0


class FakeTransaction(Transaction):
    """Works on copies; `commit` swaps them in, so an uncommitted transaction leaves no trace."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self._items = copy.copy(uow.items)
        self._keys = copy.copy(uow.keys)
        self.items = FakeItemsRepository(self._items)
        self.idempotency = FakeIdempotencyStore(self._keys)

    def _commit(self, events: list[ItemEvent]) -> None:
        self._uow.items = self._items
        self._uow.keys = self._keys
        self._uow.events.extend(events)
        self._uow.commits += 1


class FakeUnitOfWork(UnitOfWork):
    def __init__(self) -> None:
        self.items: dict[UUID, Item] = {}
        self.keys: dict[str, StoredResponse] = {}
        self.events: list[ItemEvent] = []
        self.commits = 0

    def read(self) -> AbstractContextManager[Transaction]:
        return self._open()

    def write(self) -> AbstractContextManager[Transaction]:
        return self._open()

    @contextmanager
    def _open(self) -> Iterator[Transaction]:
        yield FakeTransaction(self)
