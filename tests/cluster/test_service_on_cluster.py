"""The service on a 3-node RabbitMQ cluster under a steady write load through the API, with the example consumer.

`kill -9` of the node holding the consumer queue's leader, later of the node the relay is
connected to, then both come back. Counted: client write errors, events lost (rows, outbox
and what the consumer applied), duplicates applied, and when publishing and consuming resume.

Every process gets every node's URL. The API and the relay list node b first, the consumer
node a, where its queue's leader is declared: the first kill takes the leader and the
consumer's node and leaves the relay's channel alone; the second takes the relay's node
(where the consumer went too). With two of three nodes down the quorum queue has no majority:
nothing can be confirmed or delivered until a node is back, while writes go on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from adapters.database import create_database_engine
from tests.cluster.event_accounting import log_messages
from tests.cluster.load_outcome import LoadOutcome, assert_nothing_lost_or_applied_twice, count_outcome
from tests.cluster.polling import poll
from tests.cluster.rabbit_cluster import RabbitCluster
from tests.cluster.rabbit_node import RabbitNode
from tests.cluster.service_on_cluster import ServiceSettings, running_service
from tests.cluster.timings import Timings
from tests.cluster.write_load import (
    ANSWERS,
    STEP_TIMEOUT_S,
    more_writes,
    steady_load,
    wait_until_flowing,
)
from tests.conftest import migrate
from tests.servers import scratch_postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.postgres]


@pytest.fixture
def database_url() -> Iterator[str]:
    """A migrated database of the test's own on the shared PostgreSQL: only the broker fails here."""
    with scratch_postgres_database() as url:
        migrate(url)
        yield url


def every_node(*nodes: RabbitNode) -> str:
    return ", ".join(node.amqp_url for node in nodes)


def connected_node(cluster: RabbitCluster, connection_name: str) -> RabbitNode:
    for attempt in poll(STEP_TIMEOUT_S, StopIteration):
        with attempt:
            return cluster.node_of_connection(connection_name)
    raise AssertionError("unreachable")


def test_nothing_is_lost_or_applied_twice_over_the_loss_of_the_queue_leader_then_the_relays_node(
    cluster: RabbitCluster, database_url: str, tmp_path: Path, timings: Timings
) -> None:
    a, b, c = cluster.nodes
    settings = ServiceSettings.on(database_url, every_node(b, c, a), tmp_path, consumer_amqp_url=every_node(a, b, c))
    queues = (settings.catalog.queue, settings.catalog.consumer_config().dead_letter_queue)
    settings.declare_consumer_queue(a.amqp_url)
    engine = create_database_engine(settings.items)
    try:
        with running_service(settings, tmp_path) as service:
            relay_connection = service.relay_connection_name(service.relays[0])
            assert connected_node(cluster, relay_connection) is b
            assert connected_node(cluster, f"consumer:{settings.catalog.queue}") is a
            for queue in queues:  # the consumer queue and its DLQ: a replica on every node
                assert cluster.replicas(queue).members == {node.name for node in cluster.nodes}, queue
            assert cluster.replicas(settings.catalog.queue).leader == a.name
            served = yaml.safe_load(httpx.get(f"{service.api.base_url}/asyncapi.yaml", timeout=5).text)
            assert len(served["servers"]) == 3, "the API was not given every node"

            load = steady_load(service.api)
            try:
                more_writes(load)
                leader_killed_at = time.time()
                cluster.kill(a)
                wait_until_flowing(engine, settings.catalog, leader_killed_at)
                more_writes(load)
                relays_node = connected_node(cluster, relay_connection)
                relays_node_killed_at = time.time()
                cluster.kill(relays_node)
                more_writes(load)  # two nodes down: writes go on, their events wait in the outbox
                restarted_at = time.time()
                rejoined_in_s = cluster.restart(a, relays_node)
                wait_until_flowing(engine, settings.catalog, restarted_at)
                more_writes(load)
            finally:
                load.stop()
            outcome = LoadOutcome.settled(engine, settings.catalog)
            assert service.consumer.terminate() == 0, service.consumer.log()
            relay_log, consumer_log = service.relays[0].log_path, service.consumer.log_path

        assert set(load.outcomes) <= ANSWERS and load.outcomes["POST 201"] > 0, load.outcomes  # no write failed
        assert_nothing_lost_or_applied_twice(load, outcome, engine, settings.catalog)
        for queue in queues:
            assert cluster.replicas(queue).online == {node.name for node in cluster.nodes}, queue
    finally:
        engine.dispose()
    count_outcome(timings, "cluster", load, outcome)
    for what, moment in (
        ("kill 1 (queue leader, consumer's node)", leader_killed_at),
        ("kill 2 (relay's node; 2 of 3 down)", relays_node_killed_at),
        ("restart of both", restarted_at),
    ):
        timings.seconds(f"cluster: {what} -> next event published", outcome.resumed(moment, outcome.published))
        timings.seconds(f"cluster: {what} -> next event applied", outcome.resumed(moment, outcome.applied))
    timings.seconds("cluster: restart of both -> running in the cluster", rejoined_in_s)
    timings.count("cluster: relay connections made", len(log_messages(relay_log, "connected to the broker")))
    timings.count("cluster: relay channels renewed after a nack", len(log_messages(relay_log, "renewing")))
    timings.count("cluster: consumer connections made", len(log_messages(consumer_log, "consuming ")))
