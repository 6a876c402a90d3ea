"""What one consumer reads and how: its queue, bindings, dead-lettering and flow control."""

from __future__ import annotations

from dataclasses import dataclass

from items_events.broker_addresses import BrokerUrls, split_broker_urls

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEAD_LETTER_QUEUE_SUFFIX = ".dlq"
DEAD_LETTER_EXCHANGE_SUFFIX = ".dlx"


@dataclass(frozen=True, slots=True)
class ConsumerConfig:
    """One consumer's queue and knobs; `queue` names the consuming service, e.g. `catalog-projection`."""

    queue: str
    # Routing-key patterns bound to the exchange; `#` takes every event, and types without a
    # handler are then acked and dropped (counted in `consumer_events_ignored_total`).
    bindings: tuple[str, ...] = ("#",)
    # One node's URL, or every node of a cluster: several URLs in one text (separated by commas or
    # spaces) or a tuple of them. Tried in order; after losing a node, from the one after it.
    amqp_url: BrokerUrls = DEFAULT_AMQP_URL
    exchange: str = "items"
    # Empty: `<exchange>.dlx`, one direct exchange shared by every consumer of that exchange.
    dead_letter_exchange: str = ""
    prefetch: int = 100
    # Messages applied per database transaction; below `prefetch` so the broker keeps
    # delivering while a batch commits.
    max_batch: int = 50
    # Redeliveries after which a message is dead-lettered (the broker's `x-delivery-limit`).
    delivery_limit: int = 5
    heartbeat_s: int = 30
    # Kept longer than the producer keeps events for replay, so a replay stays deduplicated.
    processed_retention_days: float = 30.0

    def __post_init__(self) -> None:
        if not self.queue:
            raise ValueError("a consumer needs a queue name")
        split_broker_urls(self.amqp_url)  # a malformed list fails here, not at the first connect
        if not self.bindings:
            raise ValueError("a consumer needs at least one binding, e.g. '#' or 'item.*'")
        if not 1 <= self.max_batch <= self.prefetch <= 65535:
            raise ValueError("need 1 <= max_batch <= prefetch <= 65535")
        if self.delivery_limit < 1:
            raise ValueError("delivery_limit must be at least 1")
        if self.heartbeat_s < 0 or self.processed_retention_days <= 0:
            raise ValueError("heartbeat_s must be >= 0 and processed_retention_days > 0")

    @property
    def dead_letter_exchange_name(self) -> str:
        return self.dead_letter_exchange or self.exchange + DEAD_LETTER_EXCHANGE_SUFFIX

    @property
    def dead_letter_queue(self) -> str:
        return self.queue + DEAD_LETTER_QUEUE_SUFFIX
