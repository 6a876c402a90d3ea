"""The service on a 3-node RabbitMQ cluster, under write load, while the consumer queue's leader node is killed.

Today the relay and the consumer take one broker address, so both are connected to a node
that survives, and the node killed holds the consumer queue's leader. Once they take
several addresses, the node they are connected to can be killed as well.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.database import create_database_engine
from examples.catalog_projection.catalog_service import catalog_summary
from tests.cluster.polling import poll
from tests.cluster.rabbit_cluster import RabbitCluster
from tests.cluster.service_on_cluster import ServiceSettings, catalog_versions, consumer_marks, running_service
from tests.cluster.timings import Timings
from tests.cluster.write_load import ANSWERS, ITEMS, assert_finished, first_after, load_under_way, wait_until_applied
from tests.conftest import migrate
from tests.scale.database_reads import current_versions, publication_marks
from tests.servers import scratch_postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.postgres]


@pytest.fixture
def database_url() -> Iterator[str]:
    """A migrated database of the test's own on the shared PostgreSQL: only the broker fails here."""
    with scratch_postgres_database() as url:
        migrate(url)
        yield url


def test_writes_are_published_and_applied_once_each_over_the_loss_of_the_consumer_queue_leader(
    cluster: RabbitCluster, database_url: str, tmp_path: Path, timings: Timings
) -> None:
    leader, connected = cluster.nodes[0], cluster.nodes[1]
    settings = ServiceSettings.on(database_url, connected.amqp_url, tmp_path)
    settings.declare_consumer_queue(leader.amqp_url)
    assert cluster.replicas(settings.catalog.queue).leader == leader.name
    engine = create_database_engine(settings.items)
    try:
        with running_service(settings, tmp_path) as service:
            for attempt in poll(30.0):
                with attempt:
                    assert cluster.node_of_connection(service.relay_connection_name(service.relays[0])) is connected
            load = load_under_way(service.api)
            killed_at = time.time()
            cluster.kill(leader)
            assert_finished(load)
            rejoined_in_s = cluster.restart(leader)
            expected = wait_until_applied(engine, settings.catalog)
            assert service.consumer.terminate() == 0, service.consumer.log()
        published, applied = publication_marks(engine), consumer_marks(settings.catalog)

        assert set(load.outcomes) <= ANSWERS and load.outcomes["POST 201"] == ITEMS, load.outcomes
        assert set(published) == expected, "an event was not marked published"
        assert catalog_versions(settings.catalog) == current_versions(engine)
        assert catalog_summary(settings.catalog).processed_events == len(expected)
        assert cluster.replicas(settings.catalog.queue).online == {node.name for node in cluster.nodes}
    finally:
        engine.dispose()
    timings.count("service: writes answered under load (no 5xx, no broken)", load.answered)
    timings.seconds("service: queue leader killed -> next event published", first_after(published, killed_at))
    timings.seconds("service: queue leader killed -> next event applied", first_after(applied, killed_at))
    timings.seconds("service: killed node restarted -> running in the cluster", rejoined_in_s)
