"""The consumer's own broker objects: a quorum queue with a delivery limit and its dead-letter queue.

Dead-lettering is `at-least-once`: the broker keeps a rejected or exhausted message
in the source queue until the dead-letter queue has confirmed it, instead of dropping
it when that queue is briefly unavailable. RabbitMQ only honours that strategy on a
quorum queue whose overflow is `reject-publish`; with the default `drop-head` it
silently falls back to at-most-once. The events exchange is declared too, with the
producer's exact arguments, so a consumer that starts first is bound before the
first event is published rather than missing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pika.adapters.blocking_connection import BlockingChannel
from pika.exchange_type import ExchangeType

from consumer.config import ConsumerConfig
from relay.topology import Topology

QUORUM: dict[str, Any] = {"x-queue-type": "quorum"}


def queue_arguments(config: ConsumerConfig) -> dict[str, Any]:
    """The arguments of the consuming queue; changing one later needs the queue deleted first."""
    return {
        **QUORUM,
        "x-dead-letter-exchange": config.dead_letter_exchange_name,
        # Keyed by queue name, so one dead-letter exchange serves every consumer.
        "x-dead-letter-routing-key": config.queue,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
        "x-delivery-limit": config.delivery_limit,
    }


def declare_queue(channel: BlockingChannel, config: ConsumerConfig, routing_keys: Iterable[str]) -> None:
    """Declare idempotently on every (re)connect; a queue that exists with other arguments fails with 406."""
    Topology(config.exchange).declare_blocking(channel)
    channel.exchange_declare(config.dead_letter_exchange_name, ExchangeType.direct, durable=True)
    channel.queue_declare(config.dead_letter_queue, durable=True, arguments=QUORUM)
    channel.queue_bind(config.dead_letter_queue, config.dead_letter_exchange_name, routing_key=config.queue)
    channel.queue_declare(config.queue, durable=True, arguments=queue_arguments(config))
    # A key dropped from the configuration stays bound until someone unbinds it:
    # AMQP cannot list a queue's bindings.
    for routing_key in routing_keys:
        channel.queue_bind(config.queue, config.exchange, routing_key=routing_key)
