"""Scale-out on PostgreSQL: two API processes and two relays under write load, the leading relay killed once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from settings import Settings
from tests.integration.delivery_checks import assert_complete_and_ordered
from tests.integration.outbox_writes import OutboxWrites
from tests.scale.database_reads import current_versions, publication_marks
from tests.scale.leadership_log import read_leadership_log
from tests.scale.lock_holders import LockHolderSampler
from tests.scale.publication_checks import (
    assert_every_version_delivered,
    assert_one_event_per_version,
    assert_one_handover,
    assert_resends_follow_takeover,
    publishers_by_term,
)
from tests.scale.service_processes import api_servers, relay_processes
from tests.scale.spread_write_load import SpreadWriteLoad
from tests.scale.timed_event_queue import TimedEventQueue

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.rabbitmq]

API_PROCESSES = 2
WORKERS_PER_API = 2
RELAYS = 2
ITEMS = 60
PATCHES_PER_ITEM = 6
CLIENTS = 4
LOAD_TIME_LIMIT_S = 20
KILL_AFTER_SHARE = 0.4
"""The leader is killed once this share of the planned writes has been answered."""
DELIVERY_TIMEOUT_S = 30
ANSWERS = {"POST 201", "PATCH 200", "PATCH 409"}
"""409: a patch that lost the race for an item three times running; it wrote nothing."""


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_apis_and_two_relays_deliver_every_write_in_order_from_one_publisher_at_a_time(
    relay_settings: Settings, writes: OutboxWrites, item_events: TimedEventQueue, tmp_path: Path
) -> None:
    with (
        api_servers(relay_settings, tmp_path, API_PROCESSES, WORKERS_PER_API) as apis,
        LockHolderSampler(writes.engine) as locks,
        relay_processes(relay_settings, tmp_path, RELAYS) as relays,
    ):
        by_pid = {relay.pid: relay for relay in relays}
        settled = locks.wait_for(
            lambda sample: len(sample.holders) == 1 and set(sample.connected) == set(by_pid),
            "the relays to settle on one leader and one standby",
        )
        leader = by_pid[settled.holders[0]]
        successor = next(relay for relay in relays if relay is not leader)
        load = SpreadWriteLoad(apis, ITEMS, PATCHES_PER_ITEM, CLIENTS, LOAD_TIME_LIMIT_S)
        load.start()
        item_events.wait_until(lambda _: load.answered >= KILL_AFTER_SHARE * load.planned, LOAD_TIME_LIMIT_S)
        confirmed_before_kill = set(publication_marks(writes.engine))
        kill_sent = time.time()
        leader.kill()
        leader_gone = time.time()
        item_events.wait_until(lambda _: load.finished, LOAD_TIME_LIMIT_S)
        expected = writes.event_ids()
        item_events.wait_for_ids(expected, DELIVERY_TIMEOUT_S)
        received = item_events.settle()
        samples = locks.between(settled.at, time.time())
    relays_stopped = time.time()

    assert set(load.outcomes) <= ANSWERS and load.outcomes["POST 201"] == ITEMS, load.outcomes
    assert load.answered == load.planned, f"the load did not finish in {LOAD_TIME_LIMIT_S}s: {load.outcomes}"
    assert kill_sent > min(item_events.arrived_at), "the leader was killed before it published anything"

    # (a) every committed write's event arrived, and (b) in each item's order, repeats keeping their ce-id.
    assert_complete_and_ordered(received, expected)
    delivered = assert_one_event_per_version(received)
    assert_every_version_delivered(delivered, current_versions(writes.engine), load.acknowledged)

    # (c) one publisher at a time: the lock changed hands once, after the kill, and each row's
    # publication mark falls in exactly one relay's term as leader.
    leader_log, successor_log = read_leadership_log(leader.log_path), read_leadership_log(successor.log_path)
    assert len(leader_log.took_lead) == len(successor_log.took_lead) == 1, (leader_log, successor_log)
    assert not leader_log.stopped_publishing and not successor_log.stopped_publishing
    took_over = successor_log.took_lead[0]
    assert leader_log.took_lead[0] < kill_sent < took_over, (leader_log, kill_sent, successor_log)
    assert_one_handover(samples, leader.pid, successor.pid)
    assert min(sample.at for sample in samples if sample.holders == (successor.pid,)) > kill_sent
    terms = {
        leader.pid: (leader_log.took_lead[0], min(leader_gone, took_over)),
        successor.pid: (took_over, relays_stopped),
    }
    marked = publishers_by_term(publication_marks(writes.engine), terms)
    assert sum(marked.values()) == len(expected) and all(marked.values()), marked
    assert_resends_follow_takeover(received, item_events.arrived_at, confirmed_before_kill, took_over)
