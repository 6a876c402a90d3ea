"""The SQL unit of work: a create's rows go together at commit, and PostgreSQL sees few round trips."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from adapters.items_repository import item_tags, items
from adapters.tables import idempotency_keys, outbox
from app import create_app
from domain.item import DuplicateSku, InvalidItem, Item
from providers.items_provider import ItemsRepository
from providers.ports import IdempotencyKey, IdempotencyKeyTaken, StoredOutcome
from settings import Settings
from tests.integration.outbox_writes import OutboxWrites, item_fields
from tests.integration.postgres_round_trips import RoundTrips
from tests.integration.tcp_proxy import TcpProxy
from tests.tokens import bearer


def _rows(writes: OutboxWrites) -> dict[str, int]:
    with writes.engine.connect() as connection:
        return {
            table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (items, item_tags, outbox, idempotency_keys)
        }


def _item(sku: str, **fields: Any) -> Item:
    return Item.create(uuid.uuid4(), {**item_fields(sku), "tags": ["a", "b"], **fields}, datetime.now(UTC))


def test_a_create_commits_the_item_its_tags_and_its_event_together(writes: OutboxWrites) -> None:
    writes.create({**item_fields("SKU-1"), "tags": ["red", "blue"]})

    assert _rows(writes) == {"items": 1, "item_tags": 2, "outbox": 1, "idempotency_keys": 0}


def test_a_taken_sku_refuses_at_commit_and_writes_nothing(writes: OutboxWrites) -> None:
    writes.create(item_fields("SKU-1"))
    uow = writes.provider._uow

    with pytest.raises(DuplicateSku), uow.write() as tx:
        tx.repository(ItemsRepository).add(_item("SKU-1"))
        tx.commit()

    assert _rows(writes) == {"items": 1, "item_tags": 0, "outbox": 1, "idempotency_keys": 0}


def test_a_missing_category_refuses_at_commit_and_writes_nothing(writes: OutboxWrites) -> None:
    with pytest.raises(InvalidItem), writes.provider._uow.write() as tx:
        tx.repository(ItemsRepository).add(_item("SKU-1", category_id=str(uuid.uuid4())))
        tx.commit()

    assert _rows(writes) == {"items": 0, "item_tags": 0, "outbox": 0, "idempotency_keys": 0}


def test_a_taken_idempotency_key_refuses_at_commit_and_writes_nothing(writes: OutboxWrites) -> None:
    key = IdempotencyKey("caller", "key-1")
    uow = writes.provider._uow
    for sku in ("SKU-1", "SKU-2"):
        with uow.write() as tx:
            item = _item(sku)
            tx.repository(ItemsRepository).add(item)
            tx.idempotency.add(key, StoredOutcome("hash", item.id, 1, "{}"), datetime.now(UTC))
            if sku == "SKU-1":
                tx.commit()
                continue
            with pytest.raises(IdempotencyKeyTaken):
                tx.commit()

    assert _rows(writes) == {"items": 1, "item_tags": 2, "outbox": 1, "idempotency_keys": 1}


def test_a_bulk_write_past_one_statement_still_commits_everything(writes: OutboxWrites) -> None:
    writes.create_many(120, "BULK", per_transaction=60)

    assert _rows(writes) == {"items": 120, "item_tags": 0, "outbox": 120, "idempotency_keys": 0}


@pytest.fixture
def counted(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Any, RoundTrips]]:
    """A test client of the app on PostgreSQL through a proxy that counts round trips."""
    trips = RoundTrips()
    with TcpProxy.for_url(postgres_url, tap=trips.connection) as proxy:
        # Unencrypted, so that the proxy can read the protocol.
        url = proxy.url_through(postgres_url) + "?sslmode=disable&gssencmode=disable"
        settings = Settings(database_url=url, auth_dev_secret_file=tmp_path / "jwt-secret", db_pool_size=1)
        app = create_app(settings)
        with app.test_client(headers=bearer(settings)) as client:
            _post(client, {})  # connects: the driver's and the dialect's first queries are not counted
            yield client, trips


def _post(client: Any, headers: dict[str, str]) -> Any:
    body = {**item_fields(f"RT-{uuid.uuid4().hex[:12]}"), "tags": ["red", "blue"]}
    response = client.post("/v1/items", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response


@pytest.mark.postgres
def test_a_create_on_postgresql_is_one_round_trip(counted: tuple[Any, RoundTrips]) -> None:
    client, trips = counted
    trips.reset()

    _post(client, {})

    assert trips.count == 1  # item, tags and outbox row in one statement, without BEGIN or COMMIT


@pytest.mark.postgres
def test_a_create_with_an_idempotency_key_on_postgresql_is_two(counted: tuple[Any, RoundTrips]) -> None:
    client, trips = counted
    trips.reset()

    _post(client, {"Idempotency-Key": uuid.uuid4().hex})

    assert trips.count == 2  # the key's lookup, then everything else in one statement


@pytest.mark.postgres
def test_the_api_engine_keeps_its_connections_in_autocommit_between_units_of_work(postgres_url: str) -> None:
    # A view made with execution_options(isolation_level=...) would set autocommit at every
    # checkout and reset it at every checkin: CPU on every request, for a setting that never changes.
    writes = OutboxWrites(Settings(database_url=postgres_url, db_pool_size=1))
    at_checkout: list[bool] = []
    event.listen(writes.engine, "checkout", lambda dbapi, _record, _proxy: at_checkout.append(dbapi.autocommit))
    try:
        for _ in range(3):
            writes.create(item_fields(f"AC-{uuid.uuid4().hex[:12]}"))
    finally:
        writes.close()

    assert at_checkout == [True, True, True]


@pytest.mark.postgres
def test_a_read_on_postgresql_is_one_round_trip(counted: tuple[Any, RoundTrips]) -> None:
    client, trips = counted
    location = _post(client, {}).headers["Location"]
    trips.reset()

    assert client.get(location).status_code == 200

    assert trips.count == 1  # no BEGIN, no ROLLBACK


@pytest.mark.postgres
def test_a_patch_on_postgresql_locks_the_row_in_a_transaction(counted: tuple[Any, RoundTrips]) -> None:
    client, trips = counted
    location = _post(client, {}).headers["Location"]
    trips.reset()

    patch = {"name": "Renamed"}
    response = client.patch(location, json=patch, headers={"Content-Type": "application/merge-patch+json"})

    assert response.status_code == 200, response.text
    # BEGIN, SELECT ... FOR UPDATE, UPDATE, DELETE of the tags, tags and outbox row together, COMMIT
    assert trips.count == 6
