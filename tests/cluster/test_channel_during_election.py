"""What RabbitMQ 3.10 does to a channel opened while a quorum queue elects its leader: the premise of the relay's
channel renewal (`relay/confirm_channel.py`), checked on the real cluster."""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from pathlib import Path

import pika
import pytest
from pika.exceptions import NackError

from settings import Settings
from tests.cluster.polling import poll
from tests.cluster.rabbit_cluster import RabbitCluster
from tests.cluster.rabbit_node import RabbitNode
from tests.cluster.timings import Timings
from tests.conftest import migrate
from tests.integration.outbox_writes import OutboxWrites
from tests.integration.relay_runner import relay_thread

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

# The consumer runner's queue arguments that matter here: nacks come from `reject-publish`.
CONSUMER_QUEUE = {"x-queue-type": "quorum", "x-overflow": "reject-publish"}
EVENTS = 200
PUBLISH_TIMEOUT_S = 30.0


def exchange_and_queue(node: RabbitNode) -> tuple[str, str]:
    """A topic exchange and a quorum queue bound to it with `#`, declared through `node` (so it leads)."""
    name = f"items.cluster.{uuid.uuid4().hex[:12]}"
    with pika.BlockingConnection(pika.URLParameters(node.amqp_url)) as connection:
        channel = connection.channel()
        channel.exchange_declare(name, "topic", durable=True)
        channel.queue_declare(name, durable=True, arguments=CONSUMER_QUEUE)
        channel.queue_bind(name, name, routing_key="#")
    return name, name


def test_a_channel_opened_during_the_election_is_nacked_and_a_new_channel_is_not(
    cluster: RabbitCluster, timings: Timings
) -> None:
    leader = cluster.nodes[0]
    exchange, _queue = exchange_and_queue(leader)
    survivor = cluster.nodes[1]

    cluster.kill(leader)
    outcomes: Counter[str] = Counter()
    with pika.BlockingConnection(pika.URLParameters(survivor.amqp_url)) as connection:
        opened_early = connection.channel()  # opened while the queue elects a new leader
        opened_early.confirm_delivery()
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            try:
                opened_early.basic_publish(exchange, "item.created", b"{}", mandatory=True)
                outcomes["ack"] += 1
            except NackError:
                outcomes["nack"] += 1
            time.sleep(0.02)
        opened_late = connection.channel()
        opened_late.confirm_delivery()
        opened_late.basic_publish(exchange, "item.created", b"{}", mandatory=True)  # NackError would fail the test

    timings.count("rabbitmq 3.10: channel opened during election, acks over 5 s", outcomes["ack"])
    timings.count("rabbitmq 3.10: channel opened during election, nacks over 5 s", outcomes["nack"])


def test_a_relay_on_the_lost_leaders_node_publishes_everything_through_a_survivor_while_the_leader_stays_down(
    cluster: RabbitCluster, tmp_path: Path, timings: Timings, caplog: pytest.LogCaptureFixture
) -> None:
    """The relay's reconnect to a survivor comes a few tenths of a second after the kill: during the election."""
    leader, *survivors = cluster.nodes
    exchange, queue = exchange_and_queue(leader)
    database_url = f"sqlite:///{tmp_path / 'items.db'}"
    migrate(database_url)
    nodes = ", ".join(node.amqp_url for node in [leader, *survivors])
    settings = Settings(database_url=database_url, amqp_url=nodes, events_exchange=exchange)
    writes = OutboxWrites(settings)
    caplog.set_level(logging.INFO, logger="relay")
    try:
        with relay_thread(settings):
            writes.create_many(EVENTS, prefix="BEFORE")
            wait_until_published(writes, EVENTS)
            killed_at = time.monotonic()
            cluster.kill(leader)  # the relay's node and the queue's leader; it stays down
            writes.create_many(EVENTS, prefix="AFTER")
            wait_until_published(writes, 2 * EVENTS)
            published_in_s = time.monotonic() - killed_at
        expected = writes.event_ids()
    finally:
        writes.close()

    assert queued_message_ids(survivors[0], queue) == expected
    renewals = [record for record in caplog.records if record.getMessage().startswith("renewing the broker channel")]
    timings.count("relay on the killed leader's node: channel renewals after a nack", len(renewals))
    timings.seconds("relay on the killed leader's node: kill -> every event published", published_in_s)


def wait_until_published(writes: OutboxWrites, count: int) -> None:
    for attempt in poll(PUBLISH_TIMEOUT_S, AssertionError, every_s=0.05):
        with attempt:
            assert writes.published() == count


def queued_message_ids(node: RabbitNode, queue: str) -> set[str]:
    """The message ids in `queue`, taken out of it through `node`."""
    ids = set()
    with pika.BlockingConnection(pika.URLParameters(node.amqp_url)) as connection:
        channel = connection.channel()
        method, properties, _body = channel.basic_get(queue, auto_ack=True)
        while method is not None:
            ids.add(str(properties.message_id))
            method, properties, _body = channel.basic_get(queue, auto_ack=True)
    return ids
