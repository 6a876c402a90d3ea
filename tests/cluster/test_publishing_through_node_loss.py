"""Prototypes against the real cluster: publishing and consuming go on when the node they use is killed."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pika
import pytest
from pika.exceptions import NackError

from tests.cluster.broker_addresses import parse_broker_urls
from tests.cluster.failover_consumer import ConsumeReport, consume_until
from tests.cluster.failover_publisher import FailoverPublisher, PublishReport
from tests.cluster.rabbit_cluster import RabbitCluster
from tests.cluster.rabbit_node import RabbitNode
from tests.cluster.timings import Timings

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

# The consumer runner's queue arguments that matter here: nacks come from `reject-publish`.
CONSUMER_QUEUE = {"x-queue-type": "quorum", "x-overflow": "reject-publish"}
MESSAGES = 1500
RATE_PER_S = 250.0
KILL_AFTER_S = 2.0
TIMEOUT_S = 60.0


def exchange_and_queue(node: RabbitNode) -> tuple[str, str]:
    """A topic exchange and a quorum queue bound to it with `#`, declared through `node` (so it leads)."""
    name = f"items.cluster.{uuid.uuid4().hex[:12]}"
    with pika.BlockingConnection(pika.URLParameters(node.amqp_url)) as connection:
        channel = connection.channel()
        channel.exchange_declare(name, "topic", durable=True)
        channel.queue_declare(name, durable=True, arguments=CONSUMER_QUEUE)
        channel.queue_bind(name, name, routing_key="#")
    return name, name


def test_publisher_and_consumer_on_the_killed_leader_move_to_other_nodes_and_lose_nothing(
    cluster: RabbitCluster, timings: Timings
) -> None:
    leader = cluster.nodes[0]
    exchange, queue = exchange_and_queue(leader)
    assert cluster.replicas(queue).leader == leader.name
    addresses = parse_broker_urls(" ".join(cluster.amqp_urls))  # the leader's address comes first
    published: dict[str, PublishReport] = {}
    consumed: dict[str, ConsumeReport] = {}
    expected = {str(number) for number in range(MESSAGES)}
    publisher = FailoverPublisher(addresses, exchange, "item.created")
    threads = [
        threading.Thread(
            target=lambda: published.update(report=publisher.publish_all([b"{}"] * MESSAGES, RATE_PER_S, TIMEOUT_S))
        ),
        threading.Thread(target=lambda: consumed.update(report=consume_until(addresses, queue, expected, TIMEOUT_S))),
    ]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AFTER_S)
    cluster.kill(leader)
    for thread in threads:
        thread.join(TIMEOUT_S + 10)

    sent, received = published["report"], consumed["report"]
    assert sent.confirmed == MESSAGES
    assert received.received == expected
    assert len(set(sent.connected_to)) >= 2 and len(set(received.connected_to)) >= 2
    timings.seconds("rabbitmq prototype: longest wait for a confirm over a leader kill", sent.longest_confirm_gap_s)
    timings.count("rabbitmq prototype: nacks (each renewed the channel)", sent.nacks)
    timings.count(f"rabbitmq prototype: publishes for {MESSAGES} messages, resends included", sent.sends)
    timings.seconds("rabbitmq prototype: longest wait for a delivery over a leader kill", received.longest_gap_s)
    timings.count("rabbitmq prototype: deliveries received twice", received.duplicates)


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
