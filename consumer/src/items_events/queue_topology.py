"""The broker objects of a consumer: the events exchange, its quorum queue and the dead-letter queue.

The events exchange is a durable topic exchange with no arguments, declared exactly as its
producer declares it; so any client may declare it too, and a consumer that starts first is
bound before the first event is published rather than missing it.

Dead-lettering is `at-least-once`: the broker keeps a rejected or exhausted message in the
source queue until the dead-letter queue has confirmed it, instead of dropping it when that
queue is briefly unavailable. RabbitMQ only honours that strategy on a quorum queue whose
overflow is `reject-publish`; with the default `drop-head` it silently falls back to
at-most-once.
"""

from __future__ import annotations

from typing import Any

from pika.adapters.blocking_connection import BlockingChannel
from pika.exchange_type import ExchangeType

from items_events.config import ConsumerConfig

QUORUM: dict[str, Any] = {"x-queue-type": "quorum"}
EVENTS_EXCHANGE_TYPE = ExchangeType.topic
DEAD_LETTER_EXCHANGE_TYPE = ExchangeType.direct

Declaration = tuple[str, dict[str, Any]]
"""A pika channel method name and its keyword arguments; the same for both pika channel kinds."""


def exchange_declaration(exchange: str) -> Declaration:
    """The events exchange as producer and consumers all declare it: durable, topic, no arguments."""
    return "exchange_declare", {"exchange": exchange, "exchange_type": EVENTS_EXCHANGE_TYPE.value, "durable": True}


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


def consumer_declarations(config: ConsumerConfig) -> list[Declaration]:
    """In dependency order; declaring again with the same arguments is a no-op, other arguments fail with 406."""
    dead_letter_exchange = config.dead_letter_exchange_name
    declarations = [
        exchange_declaration(config.exchange),
        (
            "exchange_declare",
            {"exchange": dead_letter_exchange, "exchange_type": DEAD_LETTER_EXCHANGE_TYPE.value, "durable": True},
        ),
        ("queue_declare", {"queue": config.dead_letter_queue, "durable": True, "arguments": QUORUM}),
        (
            "queue_bind",
            {"queue": config.dead_letter_queue, "exchange": dead_letter_exchange, "routing_key": config.queue},
        ),
        ("queue_declare", {"queue": config.queue, "durable": True, "arguments": queue_arguments(config)}),
    ]
    # A binding dropped from the configuration stays until someone unbinds it: AMQP cannot list them.
    declarations += [
        ("queue_bind", {"queue": config.queue, "exchange": config.exchange, "routing_key": pattern})
        for pattern in config.bindings
    ]
    return declarations


def declare(channel: BlockingChannel, declarations: list[Declaration]) -> None:
    for method, arguments in declarations:
        getattr(channel, method)(**arguments)


def declare_queue(channel: BlockingChannel, config: ConsumerConfig) -> None:
    """Declare idempotently on every (re)connect."""
    declare(channel, consumer_declarations(config))
