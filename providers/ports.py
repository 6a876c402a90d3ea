"""Ports of the service layer: what providers need from persistence and from the contract.

Adapters implement them and tests fake them; none of them holds behaviour.
"""

from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

A = TypeVar("A")
R = TypeVar("R", bound="Repository[Any]")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """One page request: keyset position plus filters (each repository reads the filters it knows)."""

    limit: int
    after: UUID | None = None
    filters: tuple[tuple[str, str], ...] = ()

    def filter(self, name: str) -> str | None:
        return dict(self.filters).get(name)


class Repository(abc.ABC, Generic[A]):
    """Aggregates of one kind by id, inside one transaction; every one it hands out or takes in
    has its recorded events written to the outbox when the transaction commits."""

    @abc.abstractmethod
    def get(self, aggregate_id: UUID, *, for_update: bool = False) -> A | None:
        """`for_update` locks the row until the transaction ends, so writers of one aggregate queue up."""

    @abc.abstractmethod
    def add(self, aggregate: A) -> None:
        """Insert; raises the resource's own `Conflict` when a unique field is taken."""

    @abc.abstractmethod
    def save(self, aggregate: A, expected_version: int) -> bool:
        """Write it if the stored version is still `expected_version`; False otherwise."""

    @abc.abstractmethod
    def remove(self, aggregate: A, expected_version: int) -> bool:
        """Delete it if the stored version is still `expected_version`; False otherwise."""

    @abc.abstractmethod
    def list_page(self, query: ListQuery) -> list[A]:
        """Up to `query.limit` aggregates after `query.after`, in id order."""


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A client's Idempotency-Key, scoped to the caller who sent it: two callers never share one."""

    caller: str
    key: str


@dataclass(frozen=True, slots=True)
class StoredOutcome:
    """What a request with an Idempotency-Key produced, replayed to its repetitions."""

    request_hash: str
    resource_id: UUID
    version: int
    body: str


class IdempotencyKeyTaken(Exception):
    """Another request stored the same Idempotency-Key first."""


class IdempotencyStore(abc.ABC):
    """Remembers the outcome of each Idempotency-Key, in the transaction that produced it."""

    @abc.abstractmethod
    def get(self, key: IdempotencyKey) -> StoredOutcome | None: ...

    @abc.abstractmethod
    def add(self, key: IdempotencyKey, outcome: StoredOutcome, now: datetime) -> None:
        """Store it; raises `IdempotencyKeyTaken` if the key is already stored."""


class Transaction(abc.ABC):
    """One database transaction; leaving it without `commit()` rolls it back."""

    idempotency: IdempotencyStore

    @abc.abstractmethod
    def repository(self, port: type[R]) -> R:
        """The repository implementing `port`, bound to this transaction."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Write the events the touched aggregates recorded to the outbox, then commit, atomically."""


class UnitOfWork(abc.ABC):
    """Opens transactions: `with uow.write() as tx: ...; tx.commit()`."""

    @abc.abstractmethod
    def read(self) -> AbstractContextManager[Transaction]: ...

    @abc.abstractmethod
    def write(self) -> AbstractContextManager[Transaction]: ...


class Clock(abc.ABC):
    """When a write happens."""

    @abc.abstractmethod
    def now(self) -> datetime: ...


class IdSource(abc.ABC):
    """New aggregate ids."""

    @abc.abstractmethod
    def new_id(self) -> UUID: ...


class DocumentSchemas(abc.ABC):
    """The contract's schemas of client documents, to check a whole document after a merge patch."""

    @abc.abstractmethod
    def problems(self, schema: str, document: dict[str, Any]) -> str | None:
        """Why `document` breaks the named schema (e.g. `ItemInput`), or None when it conforms."""
