"""Fixtures of the consumer tests: the real broker, a private exchange and queue per test, a database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from items_events.config import ConsumerConfig
from tests.consumer.broker import TestBroker
from tests.servers import require_rabbitmq, scratch_postgres_database


@pytest.fixture(scope="session")
def amqp_url() -> str:
    """The broker; fails under CI when it is missing, skips elsewhere."""
    return require_rabbitmq()


@pytest.fixture
def consumer_config(amqp_url: str) -> ConsumerConfig:
    """A queue and exchange of this test's own; small batches so that tests cross batch edges."""
    suffix = uuid.uuid4().hex[:12]
    return ConsumerConfig(
        queue=f"consumer.test.{suffix}",
        amqp_url=amqp_url,
        exchange=f"items.test.{suffix}",
        prefetch=20,
        max_batch=10,
        delivery_limit=2,
    )


@pytest.fixture
def broker(amqp_url: str, consumer_config: ConsumerConfig) -> Iterator[TestBroker]:
    """The test's connection; deletes the test's queues and exchanges afterwards."""
    with TestBroker(amqp_url) as test_broker:
        test_broker.declare(consumer_config)
        yield test_broker
        test_broker.delete(consumer_config)


@pytest.fixture
def sqlite_catalog_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'catalog.db'}"


@pytest.fixture
def postgres_catalog_url() -> Iterator[str]:
    """An empty database on the real PostgreSQL server, dropped afterwards."""
    with scratch_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def catalog_url(request: pytest.FixtureRequest) -> str:
    """The consumer's own database: the same test on SQLite and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_catalog_url"))
