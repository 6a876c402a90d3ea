"""In-memory fakes of the service-layer ports (fakes, not mocks)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from api.document_schemas import SpecDocumentSchemas
from app import load_spec
from domain.events import DomainEvent, take_events
from domain.item import DuplicateSku, Item
from providers.items_provider import ItemsRepository
from providers.ports import (
    Clock,
    IdempotencyKey,
    IdempotencyKeyTaken,
    IdempotencyStore,
    IdSource,
    ListQuery,
    R,
    Repository,
    StoredOutcome,
    Transaction,
    UnitOfWork,
)

A = TypeVar("A", bound=Any)


class FakeRepository(Repository[A], Generic[A]):
    """Aggregates by id in a dict of the transaction's; keeps copies, as a database would."""

    def __init__(self, rows: dict[UUID, A]) -> None:
        self._rows = rows
        self.touched: list[A] = []

    def get(self, aggregate_id: UUID, *, for_update: bool = False) -> A | None:
        stored = self._rows.get(aggregate_id)
        if stored is None:
            return None
        found = stored.snapshot()
        self.touched.append(found)
        return found

    def add(self, aggregate: A) -> None:
        self._check_unique(aggregate)
        self._rows[aggregate.id] = aggregate.snapshot()
        self.touched.append(aggregate)

    def save(self, aggregate: A, expected_version: int) -> bool:
        stored = self._rows.get(aggregate.id)
        if stored is None or stored.version != expected_version:
            return False
        self._check_unique(aggregate)
        self._rows[aggregate.id] = aggregate.snapshot()
        return True

    def remove(self, aggregate: A, expected_version: int) -> bool:
        stored = self._rows.get(aggregate.id)
        if stored is None or stored.version != expected_version:
            return False
        del self._rows[aggregate.id]
        return True

    def list_page(self, query: ListQuery) -> list[A]:
        found = sorted(self._rows.values(), key=lambda aggregate: aggregate.id)
        if query.after:
            found = [aggregate for aggregate in found if aggregate.id > query.after]
        found = [aggregate for aggregate in found if self._matches(aggregate, query)]
        return [aggregate.snapshot() for aggregate in found[: query.limit]]

    def _check_unique(self, aggregate: A) -> None:
        """Raise the resource's conflict when another aggregate holds one of its unique values."""

    def _matches(self, aggregate: A, query: ListQuery) -> bool:
        return True


class FakeItemsRepository(FakeRepository[Item], ItemsRepository):
    def _check_unique(self, aggregate: Item) -> None:
        if any(other.sku == aggregate.sku and other.id != aggregate.id for other in self._rows.values()):
            raise DuplicateSku(f"sku {aggregate.sku} exists")

    def _matches(self, aggregate: Item, query: ListQuery) -> bool:
        tag, text = query.filter("tag"), (query.filter("q") or "").lower()
        return (tag is None or tag in aggregate.tags) and text in aggregate.name.lower() + aggregate.sku.lower()


FAKE_REPOSITORIES: dict[type, type[FakeRepository[Any]]] = {ItemsRepository: FakeItemsRepository}


class FakeIdempotencyStore(IdempotencyStore):
    def __init__(self, rows: dict[IdempotencyKey, StoredOutcome]) -> None:
        self._rows = rows

    def get(self, key: IdempotencyKey) -> StoredOutcome | None:
        return self._rows.get(key)

    def add(self, key: IdempotencyKey, outcome: StoredOutcome, now: datetime) -> None:
        if key in self._rows:
            raise IdempotencyKeyTaken(key.key)
        self._rows[key] = outcome


class FakeTransaction(Transaction):
    """Works on copies; `commit` swaps them in, so an uncommitted transaction leaves no trace."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self._tables = {port: copy.copy(rows) for port, rows in uow.tables.items()}
        self._keys = copy.copy(uow.keys)
        self._repositories: dict[type, FakeRepository[Any]] = {}
        self.idempotency = FakeIdempotencyStore(self._keys)

    def repository(self, port: type[R]) -> R:
        if port not in self._repositories:
            self._repositories[port] = FAKE_REPOSITORIES[port](self._tables.setdefault(port, {}))
        return self._repositories[port]  # type: ignore[return-value]

    def commit(self) -> None:
        touched = [aggregate for repository in self._repositories.values() for aggregate in repository.touched]
        self._uow.events.extend(take_events(touched))
        self._uow.tables.update(self._tables)
        self._uow.keys = self._keys
        self._uow.commits += 1


class FakeUnitOfWork(UnitOfWork):
    def __init__(self) -> None:
        self.tables: dict[type, dict[UUID, Any]] = {}
        self.keys: dict[IdempotencyKey, StoredOutcome] = {}
        self.events: list[DomainEvent] = []
        self.commits = 0

    def rows(self, port: type) -> dict[UUID, Any]:
        return self.tables.get(port, {})

    def read(self) -> AbstractContextManager[Transaction]:
        return self._open()

    def write(self) -> AbstractContextManager[Transaction]:
        return self._open()

    @contextmanager
    def _open(self) -> Iterator[Transaction]:
        yield FakeTransaction(self)


class SequentialIds(IdSource):
    def __init__(self) -> None:
        self._numbers = itertools.count(1)

    def new_id(self) -> UUID:
        return UUID(int=next(self._numbers))


class TickingClock(Clock):
    """One second later on every call."""

    def __init__(self, start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
        self._ticks = (start + timedelta(seconds=n) for n in itertools.count())

    def now(self) -> datetime:
        return next(self._ticks)


def provider_parts(uow: FakeUnitOfWork) -> tuple[FakeUnitOfWork, SpecDocumentSchemas, SequentialIds, TickingClock]:
    """What a resource provider is built from, in memory: `ItemsProvider(*provider_parts(uow))`."""
    return uow, SpecDocumentSchemas(load_spec()), SequentialIds(), TickingClock()


def no_render(_aggregate: object) -> str:
    return "{}"

