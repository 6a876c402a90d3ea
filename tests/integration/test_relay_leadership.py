"""Two relays on one PostgreSQL database: one publishes, the other takes over when it dies."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from relay.postgres_leadership import APPLICATION_NAME_PREFIX
from settings import Settings
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites
from tests.integration.relay_runner import RelayProcess, leader_pid, relay_thread
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq]

BATCH = 300


def wait_for_leader(
    engine: Engine, candidates: dict[int, RelayProcess], former: RelayProcess | None = None, timeout_s: float = 20
) -> RelayProcess:
    def new_leader() -> int | None:
        pid = leader_pid(engine)
        return None if pid is None or (former is not None and pid == former.pid) else pid

    pid = wait_until(new_leader, "a relay to become the leader", timeout_s)
    assert pid in candidates, f"pid {pid} holds the relay lock but is none of ours"
    return candidates[pid]


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_one_leader_publishes_and_the_other_takes_over_when_it_is_killed(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, tmp_path: Path
) -> None:
    relays = [RelayProcess(relay_settings, tmp_path / f"relay-{n}.log") for n in range(2)]
    try:
        by_pid = {relay.pid: relay for relay in relays}
        leader = wait_for_leader(writes.engine, by_pid)
        writes.create_many(BATCH, prefix="FIRST")
        first = writes.event_ids()
        events.wait_for_ids(first, timeout_s=30)
        copies = Counter(event.message_id for event in events.settle())
        assert max(copies.values()) == 1, "an event was published twice while both relays ran without failure"

        leader.kill()
        successor = wait_for_leader(writes.engine, by_pid, former=leader)
        assert successor is not leader and successor.alive()
        writes.create_many(BATCH, prefix="SECOND")
        events.wait_for_ids(writes.event_ids(), timeout_s=30)
    finally:
        for relay in relays:
            if relay.alive():
                assert relay.terminate() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_losing_the_lock_connection_stops_publishing_until_the_lock_is_taken_again(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="relay")
    with relay_thread(relay_settings) as service:
        wait_until(lambda: service.relay.leading, "the relay to lead")
        with writes.engine.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": f"{APPLICATION_NAME_PREFIX}{os.getpid()}"},
            )
        abdicated = lambda: any("stopped publishing" in r.getMessage() for r in caplog.records)  # noqa: E731
        wait_until(abdicated, "the relay to stop publishing")
        writes.create_many(20, prefix="AFTER")
        events.wait_for_ids(writes.event_ids(), timeout_s=20)  # it campaigned again and won
    leader_lines = [r for r in caplog.records if r.getMessage() == "this relay is the leader"]
    assert len(leader_lines) == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_a_lock_file_keeps_a_second_relay_idle(relay_settings: Settings, writes: OutboxWrites) -> None:
    with relay_thread(relay_settings) as first:
        wait_until(lambda: first.relay.leading, "the first relay to lead")
        with relay_thread(relay_settings) as second:
            time.sleep(1.5)  # longer than a campaign interval
            assert not second.relay.leading
    with relay_thread(relay_settings) as third:  # the lock went with the first relay
        wait_until(lambda: third.relay.leading, "the lock file to be released")

