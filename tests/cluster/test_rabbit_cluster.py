"""The RabbitMQ cluster harness works: three nodes, replicated quorum queues, a leader lost and back."""

from __future__ import annotations

import time
import uuid

import pika
import pytest
from pika.adapters.blocking_connection import BlockingChannel

from tests.cluster.polling import poll
from tests.cluster.rabbit_cluster import RabbitCluster
from tests.cluster.rabbit_node import RabbitNode
from tests.cluster.timings import Timings

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

QUORUM = {"x-queue-type": "quorum"}
RECOVERY_TIMEOUT_S = 60.0


def declare_queue_on(node: RabbitNode) -> str:
    """A durable quorum queue of the test's own, declared through `node`; its name."""
    name = f"items.cluster.{uuid.uuid4().hex[:12]}"
    with pika.BlockingConnection(pika.URLParameters(node.amqp_url)) as connection:
        connection.channel().queue_declare(name, durable=True, arguments=QUORUM)
    return name


def publish_and_get(node: RabbitNode, queue: str, body: bytes) -> bytes | None:
    """Publish with confirms through `node` on a new channel, then fetch one message back from it."""
    with pika.BlockingConnection(pika.URLParameters(node.amqp_url)) as connection:
        channel: BlockingChannel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2), mandatory=True)
        method, _properties, received = channel.basic_get(queue, auto_ack=True)
        return received if method is not None else None


def test_three_nodes_form_one_cluster(cluster: RabbitCluster) -> None:
    assert cluster.running_nodes() == {node.name for node in cluster.nodes}
    assert len({node.ports.amqp for node in cluster.nodes} | {node.ports.distribution for node in cluster.nodes}) == 6


def test_a_quorum_queue_declared_through_one_node_has_members_on_all_three(cluster: RabbitCluster) -> None:
    queue = declare_queue_on(cluster.nodes[1])

    replicas = cluster.replicas(queue)

    everyone = {node.name for node in cluster.nodes}
    assert replicas.members == everyone
    assert replicas.online == everyone
    assert replicas.leader in everyone


def test_the_node_a_named_client_is_connected_to_is_found(cluster: RabbitCluster) -> None:
    name = f"items-test-client:{uuid.uuid4().hex[:8]}"
    parameters = pika.URLParameters(cluster.nodes[2].amqp_url)
    parameters.client_properties = {"connection_name": name}

    with pika.BlockingConnection(parameters):
        assert cluster.node_of_connection(name) is cluster.nodes[2]


def test_after_the_leader_is_killed_another_node_serves_the_queue_and_the_leader_rejoins(
    cluster: RabbitCluster, timings: Timings
) -> None:
    queue = declare_queue_on(cluster.nodes[0])
    leader = cluster.leader_node(queue)
    survivor = next(node for node in cluster.nodes if node is not leader)
    assert publish_and_get(survivor, queue, b"before") == b"before"

    killed_at = time.monotonic()
    cluster.kill(leader)
    for attempt in poll(RECOVERY_TIMEOUT_S):
        with attempt:  # a nacked publish raises NackError; the next attempt opens a new channel
            assert publish_and_get(survivor, queue, b"after") == b"after"
    served_after_s = time.monotonic() - killed_at
    replicas = cluster.replicas(queue)

    assert replicas.leader != leader.name
    assert replicas.online == {node.name for node in cluster.nodes} - {leader.name}
    rejoined_in_s = cluster.restart(leader)
    for attempt in poll(RECOVERY_TIMEOUT_S):
        with attempt:
            assert cluster.replicas(queue).online == {node.name for node in cluster.nodes}
    timings.seconds("rabbitmq: leader killed -> publish+consume through a survivor", served_after_s)
    timings.seconds("rabbitmq: killed node restarted -> running in the cluster", rejoined_in_s)
