"""The use cases every versioned resource shares: idempotent create, read, keyset pages, merge patch, delete.

A resource provider subclasses `VersionedResources`, names its aggregate class and its
repository port, and adds the checks only it needs; everything else (the transaction,
Idempotency-Key replays, the precondition on the version, row locking, pages) is written
once, here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from injector import inject, singleton

from domain.errors import (
    ConcurrentModification,
    Conflict,
    IdempotencyKeyReused,
    NotFound,
    PreconditionFailed,
    Unprocessable,
)
from domain.events import DomainEvent
from domain.merge_patch import merge_patch
from providers.pagination import decode_cursor, encode_cursor
from providers.ports import (
    Clock,
    DocumentSchemas,
    IdempotencyKey,
    IdempotencyKeyTaken,
    IdSource,
    ListQuery,
    Repository,
    StoredOutcome,
    Transaction,
    UnitOfWork,
)

_WRITE_ATTEMPTS = 3


class Versioned(Protocol):
    """An aggregate whose `version` rises by one on every write, each write recording its event."""

    id: UUID
    version: int
    events: list[DomainEvent]

    def replace(self, fields: dict[str, Any], now: datetime) -> None: ...

    def delete(self, now: datetime) -> None: ...

    def client_fields(self) -> dict[str, Any]: ...


A = TypeVar("A", bound=Versioned)
A_co = TypeVar("A_co", bound=Versioned, covariant=True)


class Creates(Protocol[A_co]):
    """The aggregate class: `Item.create(id, fields, now)` records the created event."""

    def create(self, aggregate_id: UUID, fields: dict[str, Any], now: datetime) -> A_co: ...


@dataclass(frozen=True, slots=True)
class Created:
    """A create's outcome: the rendered resource, first given or replayed."""

    resource_id: UUID
    version: int
    body: str
    replayed: bool


@dataclass(frozen=True, slots=True)
class Page(Generic[A]):
    items: list[A]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Precondition:
    """The versions a conditional write accepts; `any` when the client named none."""

    versions: frozenset[int] | None = None

    def allows(self, version: int) -> bool:
        return self.versions is None or version in self.versions


ANY_VERSION = Precondition()


@singleton
class VersionedResources(Generic[A]):
    """Each write is one transaction; a write of an existing aggregate locks its row first.

    One instance per process serves every request (the scope is inherited by subclasses):
    a provider keeps nothing between calls, and each use case opens its own transaction.
    """

    kind: ClassVar[str]
    """The resource's name in messages and request fingerprints, e.g. `item`."""
    aggregate: ClassVar[Creates[Any]]
    repository: ClassVar[type[Repository[Any]]]
    input_schema: ClassVar[str]
    """The contract's schema of the client document, checked again after a merge patch."""
    not_found: ClassVar[type[NotFound]]
    invalid: ClassVar[type[Unprocessable]]

    @inject
    def __init__(self, uow: UnitOfWork, schemas: DocumentSchemas, ids: IdSource, clock: Clock) -> None:
        self._uow = uow
        self._schemas = schemas
        self._ids = ids
        self._clock = clock

    def _check(self, tx: Transaction, fields: dict[str, Any]) -> None:
        """Refuse client fields that break a rule the contract's schema cannot state (e.g. a reference)."""

    def _check_delete(self, tx: Transaction, aggregate: A) -> None:
        """Refuse, with a `Conflict`, to delete what something still needs."""

    def create(self, fields: dict[str, Any], key: IdempotencyKey | None, render: Callable[[A], str]) -> Created:
        """Create, or replay what the caller's earlier request with the same key produced."""
        request_hash = self._fingerprint(fields) if key else ""
        try:
            with self._uow.write() as tx:
                stored = tx.idempotency.get(key) if key else None
                if stored is not None:
                    return _replay(stored, request_hash)
                self._check(tx, fields)
                aggregate: A = self.aggregate.create(self._ids.new_id(), fields, self._clock.now())
                tx.repository(self.repository).add(aggregate)
                body = render(aggregate)
                if key:
                    outcome = StoredOutcome(request_hash, aggregate.id, aggregate.version, body)
                    tx.idempotency.add(key, outcome, self._clock.now())
                tx.commit()
                return Created(aggregate.id, aggregate.version, body, replayed=False)
        except (IdempotencyKeyTaken, Conflict):
            # A concurrent request with the same key may have won the race: answer as it did.
            if key:
                with self._uow.read() as tx:
                    stored = tx.idempotency.get(key)
                if stored is not None:
                    return _replay(stored, request_hash)
            raise

    def get(self, aggregate_id: UUID) -> A:
        with self._uow.read() as tx:
            aggregate: A | None = tx.repository(self.repository).get(aggregate_id)
        if aggregate is None:
            raise self.not_found(f"no {self.kind} has id {aggregate_id}")
        return aggregate

    def page(self, limit: int, cursor: str | None, **filters: str | None) -> Page[A]:
        after = decode_cursor(cursor) if cursor else None
        given = tuple((name, value) for name, value in filters.items() if value is not None)
        with self._uow.read() as tx:
            found: list[A] = tx.repository(self.repository).list_page(ListQuery(limit + 1, after, given))
        page = found[:limit]
        return Page(page, encode_cursor(page[-1].id) if len(found) > limit else None)

    def patch(self, aggregate_id: UUID, patch: dict[str, Any], precondition: Precondition = ANY_VERSION) -> A:
        def change(tx: Transaction, aggregate: A) -> bool:
            before = aggregate.client_fields()
            merged = merge_patch(before, patch)
            problem = self._schemas.problems(self.input_schema, merged)
            if problem is not None:
                raise self.invalid(f"after the patch, {problem}")
            if merged == before:
                return False
            self._check(tx, merged)
            aggregate.replace(merged, self._clock.now())
            return bool(tx.repository(self.repository).save(aggregate, aggregate.version - 1))

        return self._write_existing(aggregate_id, precondition, change)

    def delete(self, aggregate_id: UUID, precondition: Precondition = ANY_VERSION) -> None:
        def remove(tx: Transaction, aggregate: A) -> bool:
            self._check_delete(tx, aggregate)
            aggregate.delete(self._clock.now())
            return bool(tx.repository(self.repository).remove(aggregate, aggregate.version - 1))

        self._write_existing(aggregate_id, precondition, remove)

    def _write_existing(
        self, aggregate_id: UUID, precondition: Precondition, write: Callable[[Transaction, A], bool]
    ) -> A:
        """The row is locked while the write runs, so concurrent writers queue up rather than fail.

        The version is still compared on save, and a lost race (a database without row locks)
        is retried from a fresh read.
        """
        for _ in range(_WRITE_ATTEMPTS):
            with self._uow.write() as tx:
                aggregate: A | None = tx.repository(self.repository).get(aggregate_id, for_update=True)
                if aggregate is None:
                    raise self.not_found(f"no {self.kind} has id {aggregate_id}")
                if not precondition.allows(aggregate.version):
                    raise PreconditionFailed(f"the current version of the {self.kind} is {aggregate.version}")
                unchanged_version = aggregate.version
                if write(tx, aggregate):
                    tx.commit()
                    return aggregate
                if aggregate.version == unchanged_version:
                    return aggregate  # nothing to write
        raise ConcurrentModification(f"{self.kind} {aggregate_id} kept changing; retry the request")

    def _fingerprint(self, fields: dict[str, Any]) -> str:
        canonical = json.dumps([self.kind, fields], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _replay(stored: StoredOutcome, request_hash: str) -> Created:
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused("this Idempotency-Key was used with a different request")
    return Created(stored.resource_id, stored.version, stored.body, replayed=True)
