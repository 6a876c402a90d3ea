"""`kill -9` of the relay in the middle of a drain loses nothing: the next one resends what was unmarked."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from settings import Settings
from tests.integration.delivery_checks import assert_complete_and_ordered
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites
from tests.integration.relay_runner import RelayProcess, wait_for_progress

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.slow]

ROWS = 3000
KILLS = 5


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_repeated_kill_9_during_a_drain_loses_no_event(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, tmp_path: Path
) -> None:
    writes.create_many(ROWS, prefix="CRASH")
    expected = writes.event_ids()
    slow = relay_settings.with_changes({"relay_batch_size": 100, "relay_max_in_flight": 300})
    chance = random.Random(ROWS)
    log = tmp_path / "relay.log"
    for _ in range(KILLS):
        relay = RelayProcess(slow, log)
        try:
            wait_for_progress(writes, relay, chance.randrange(50, 400))
        finally:
            relay.kill()
    survivor = RelayProcess(slow, log)
    try:
        events.wait_for_ids(expected, timeout_s=60)
    finally:
        assert survivor.terminate() == 0, f"the relay did not exit cleanly on SIGTERM; see {log}"
    received = events.settle()
    assert_complete_and_ordered(received, expected)
    assert writes.published() == ROWS
