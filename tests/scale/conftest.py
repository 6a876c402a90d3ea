"""Fixtures of the scale-out tests: the relay tests' broker and outbox fixtures, and a timed consumer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest import amqp_url, exchange_name, relay_settings, writes
from tests.scale.timed_event_queue import TimedEventQueue

__all__ = ["amqp_url", "exchange_name", "item_events", "relay_settings", "writes"]


@pytest.fixture
def item_events(amqp_url: str, exchange_name: str) -> Iterator[TimedEventQueue]:
    """A consumer bound with `item.*` to the test's exchange, noting when each event arrived."""
    queue = TimedEventQueue(amqp_url, exchange_name, binding="item.*")
    with queue:
        yield queue
