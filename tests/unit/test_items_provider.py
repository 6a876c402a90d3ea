"""ItemsProvider against in-memory fakes: the use cases without a database."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from app import load_spec
from domain.errors import (
    DuplicateSku,
    IdempotencyKeyReused,
    InvalidCursor,
    InvalidItem,
    ItemNotFound,
    PreconditionFailed,
)
from domain.events import ItemCreated, ItemDeleted, ItemUpdated
from providers.item_validator import ItemValidator
from providers.items_provider import ItemsProvider
from tests.fakes import FakeUnitOfWork

CHAIR = {"sku": "CHAIR-1", "name": "Chair", "price": {"amount_minor": 1299, "currency": "EUR"}}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """An empty in-memory unit of work."""
    return FakeUnitOfWork()


@pytest.fixture
def items(uow: FakeUnitOfWork) -> ItemsProvider:
    """A provider with sequential ids and a clock that ticks one second per call."""
    ids = (UUID(int=n) for n in itertools.count(1))
    ticks = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n) for n in itertools.count())
    return ItemsProvider(uow, ItemValidator(load_spec()), new_id=lambda: next(ids), clock=lambda: next(ticks))


def test_create_records_one_created_event(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    created = items.create(CHAIR)
    assert json.loads(created.body)["version"] == 1
    assert [type(event) for event in uow.events] == [ItemCreated]
    assert uow.events[0].item.sku == "CHAIR-1"


def test_duplicate_sku_is_refused_and_writes_nothing(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    items.create(CHAIR)
    with pytest.raises(DuplicateSku):
        items.create({**CHAIR, "name": "Other"})
    assert uow.commits == 1 and len(uow.items) == 1


def test_idempotency_key_replays_the_first_response(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    first = items.create(CHAIR, idempotency_key="k1")
    again = items.create(dict(CHAIR), idempotency_key="k1")
    assert again.replayed and again.body == first.body and again.item_id == first.item_id
    assert uow.commits == 1 and len(uow.events) == 1


def test_idempotency_key_with_another_body_is_refused(items: ItemsProvider) -> None:
    items.create(CHAIR, idempotency_key="k1")
    with pytest.raises(IdempotencyKeyReused):
        items.create({**CHAIR, "name": "Different"}, idempotency_key="k1")


def test_patch_merges_bumps_version_and_records_update(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = items.create({**CHAIR, "tags": ["a"], "description": "d"}).item_id
    patched = items.patch(item_id, {"name": "Stool", "tags": None, "description": None}, '"1"')
    assert (patched.name, patched.tags, patched.description, patched.version) == ("Stool", [], None, 2)
    assert isinstance(uow.events[-1], ItemUpdated) and uow.events[-1].item.version == 2


def test_patch_with_a_stale_etag_fails_and_changes_nothing(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = items.create(CHAIR).item_id
    items.patch(item_id, {"name": "B"}, None)
    with pytest.raises(PreconditionFailed):
        items.patch(item_id, {"name": "C"}, '"1"')
    assert items.get(item_id).name == "B" and len(uow.events) == 2


def test_patch_that_breaks_the_item_is_refused_atomically(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = items.create(CHAIR).item_id
    with pytest.raises(InvalidItem):
        items.patch(item_id, {"name": "ok", "price": None}, None)
    assert items.get(item_id).name == "Chair" and len(uow.events) == 1


def test_empty_patch_writes_nothing(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = items.create(CHAIR).item_id
    assert items.patch(item_id, {"name": "Chair"}, None).version == 1
    assert uow.commits == 1


def test_delete_records_deleted_event_with_next_version(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = items.create(CHAIR).item_id
    items.delete(item_id, '"1"')
    assert isinstance(uow.events[-1], ItemDeleted) and uow.events[-1].item.version == 2
    with pytest.raises(ItemNotFound):
        items.get(item_id)


def test_pages_follow_the_cursor_without_gaps_or_repeats(items: ItemsProvider) -> None:
    created = [items.create({**CHAIR, "sku": f"S-{n}"}).item_id for n in range(7)]
    seen, cursor = [], None
    while True:
        page = items.list(3, cursor, None, None)
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == created


def test_a_forged_cursor_is_rejected(items: ItemsProvider) -> None:
    with pytest.raises(InvalidCursor):
        items.list(3, "bm90LWpzb24", None, None)
