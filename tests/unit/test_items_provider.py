"""ItemsProvider against in-memory fakes: the use cases without a database."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from api.item_representation import represent
from api.resource_responses import as_json
from domain.errors import IdempotencyKeyReused, InvalidCursor, PreconditionFailed
from domain.item import DuplicateSku, InvalidItem, ItemCreated, ItemDeleted, ItemNotFound, ItemUpdated
from providers.items_provider import ItemsProvider, ItemsRepository
from providers.ports import IdempotencyKey
from providers.versioned_resources import Created, Precondition
from tests.fakes import FakeUnitOfWork, provider_parts

CHAIR = {"sku": "CHAIR-1", "name": "Chair", "price": {"amount_minor": 1299, "currency": "EUR"}}
RENDER = as_json(represent)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """An empty in-memory unit of work."""
    return FakeUnitOfWork()


@pytest.fixture
def items(uow: FakeUnitOfWork) -> ItemsProvider:
    """A provider with sequential ids and a clock that ticks one second per call."""
    return ItemsProvider(*provider_parts(uow))


def create(items: ItemsProvider, fields: dict[str, Any], key: str | None = None, caller: str = "ann") -> Created:
    return items.create(fields, IdempotencyKey(caller, key) if key else None, RENDER)


def version(number: int) -> Precondition:
    return Precondition(frozenset({number}))


def test_create_records_one_created_event(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    created = create(items, CHAIR)
    assert json.loads(created.body)["version"] == 1 and created.version == 1
    assert [type(event) for event in uow.events] == [ItemCreated]
    assert uow.events[0].record()["item"]["sku"] == "CHAIR-1"


def test_duplicate_sku_is_refused_and_writes_nothing(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    create(items, CHAIR)
    with pytest.raises(DuplicateSku):
        create(items, {**CHAIR, "name": "Other"})
    assert uow.commits == 1 and len(uow.rows(ItemsRepository)) == 1


def test_idempotency_key_replays_the_first_response(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    first = create(items, CHAIR, key="k1")
    again = create(items, dict(CHAIR), key="k1")
    assert again.replayed and again.body == first.body and again.resource_id == first.resource_id
    assert uow.commits == 1 and len(uow.events) == 1


def test_idempotency_keys_belong_to_their_caller(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    create(items, CHAIR, key="k1", caller="ann")
    with pytest.raises(DuplicateSku):  # bob's key is his own: no replay of ann's response
        create(items, CHAIR, key="k1", caller="bob")
    assert not create(items, {**CHAIR, "sku": "CHAIR-2"}, key="k1", caller="bob").replayed


def test_idempotency_key_with_another_body_is_refused(items: ItemsProvider) -> None:
    create(items, CHAIR, key="k1")
    with pytest.raises(IdempotencyKeyReused):
        create(items, {**CHAIR, "name": "Different"}, key="k1")


def test_patch_merges_bumps_version_and_records_update(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = create(items, {**CHAIR, "tags": ["a"], "description": "d"}).resource_id
    patched = items.patch(item_id, {"name": "Stool", "tags": None, "description": None}, version(1))
    assert (patched.name, patched.tags, patched.description, patched.version) == ("Stool", [], None, 2)
    assert isinstance(uow.events[-1], ItemUpdated) and uow.events[-1].aggregate_version == 2


def test_patch_with_a_stale_etag_fails_and_changes_nothing(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = create(items, CHAIR).resource_id
    items.patch(item_id, {"name": "B"})
    with pytest.raises(PreconditionFailed):
        items.patch(item_id, {"name": "C"}, version(1))
    assert items.get(item_id).name == "B" and len(uow.events) == 2


def test_patch_that_breaks_the_item_is_refused_atomically(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = create(items, CHAIR).resource_id
    with pytest.raises(InvalidItem, match="price"):
        items.patch(item_id, {"name": "ok", "price": None})
    assert items.get(item_id).name == "Chair" and len(uow.events) == 1


def test_empty_patch_writes_nothing(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = create(items, CHAIR).resource_id
    assert items.patch(item_id, {"name": "Chair"}).version == 1
    assert uow.commits == 1


def test_delete_records_deleted_event_with_next_version(items: ItemsProvider, uow: FakeUnitOfWork) -> None:
    item_id = create(items, CHAIR).resource_id
    items.delete(item_id, version(1))
    assert isinstance(uow.events[-1], ItemDeleted) and uow.events[-1].aggregate_version == 2
    with pytest.raises(ItemNotFound):
        items.get(item_id)


def test_pages_follow_the_cursor_without_gaps_or_repeats(items: ItemsProvider) -> None:
    created = [create(items, {**CHAIR, "sku": f"S-{n}"}).resource_id for n in range(7)]
    seen: list[UUID] = []
    cursor = None
    while True:
        page = items.page(3, cursor)
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == created


def test_pages_filter_by_tag(items: ItemsProvider) -> None:
    tagged = create(items, {**CHAIR, "tags": ["wood"]}).resource_id
    create(items, {**CHAIR, "sku": "CHAIR-2"})
    assert [item.id for item in items.page(10, None, tag="wood").items] == [tagged]


def test_a_forged_cursor_is_rejected(items: ItemsProvider) -> None:
    with pytest.raises(InvalidCursor):
        items.page(3, "bm90LWpzb24")
