"""Fixtures of the relay tests: the real RabbitMQ, a private exchange per test, collected events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pika
import pytest

from settings import Settings
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites
from tests.servers import require_rabbitmq


@pytest.fixture(scope="session")
def amqp_url() -> str:
    """The broker; fails under CI when it is missing, skips elsewhere."""
    return require_rabbitmq()


@pytest.fixture
def exchange_name(amqp_url: str) -> Iterator[str]:
    """An events exchange of this test's own, deleted afterwards."""
    name = f"items.test.{uuid.uuid4().hex[:12]}"
    yield name
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        connection.channel().exchange_delete(name)
    finally:
        connection.close()


@pytest.fixture
def events(amqp_url: str, exchange_name: str) -> Iterator[EventQueue]:
    """Everything published to the test's exchange."""
    with EventQueue(amqp_url, exchange_name) as queue:
        yield queue


@pytest.fixture
def relay_settings(settings: Settings, amqp_url: str, exchange_name: str) -> Settings:
    """The test database's settings, publishing to the test's exchange."""
    return settings.with_changes({"amqp_url": amqp_url, "events_exchange": exchange_name})


@pytest.fixture
def writes(settings: Settings) -> Iterator[OutboxWrites]:
    """Item writes through the service's own provider, on the test database."""
    writer = OutboxWrites(settings)
    yield writer
    writer.close()
