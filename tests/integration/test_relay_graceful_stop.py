"""SIGTERM in the middle of a drain: the relay finishes what is in flight, exits 0, and sends nothing twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from settings import Settings
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites
from tests.integration.relay_runner import RelayProcess, wait_for_progress

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.slow]

ROWS = 2000


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_sigterm_mid_drain_exits_cleanly_without_duplicates(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, tmp_path: Path
) -> None:
    writes.create_many(ROWS, prefix="STOP")
    expected = writes.event_ids()
    slow = relay_settings.model_copy(update={"relay_batch_size": 100, "relay_max_in_flight": 300})
    first = RelayProcess(slow, tmp_path / "relay.log")
    try:
        wait_for_progress(writes, first, 300)
    finally:
        assert first.terminate() == 0
    second = RelayProcess(slow, tmp_path / "relay.log")
    try:
        events.wait_for_ids(expected, timeout_s=60)
    finally:
        assert second.terminate() == 0
    copies = Counter(event.message_id for event in events.settle())
    assert set(copies) == expected
    assert max(copies.values()) == 1, "a graceful stop should leave nothing confirmed but unmarked"
