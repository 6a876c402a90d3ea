"""A deliberately non-idempotent consumer: every application of an event appends a row.

Only the runner's deduplication keeps a redelivered event from being counted twice,
so the row count and the quantity total show both loss and double application. Run
as `python -m tests.consumer.counting_consumer` with `COUNTING_CONFIG` (the consumer
config as JSON), `COUNTING_DATABASE_URL`, and optionally `COUNTING_DELAY_S` (per event) and
`COUNTING_ACK_DELAY_S`: a slow ack widens the window between a batch's commit and its
ack, where a crash leaves applied events to be redelivered.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field

from pika.adapters.blocking_connection import BlockingChannel
from sqlalchemy import BigInteger, Column, Connection, Engine, Integer, MetaData, String, Table, func, select

from items_events import ConsumerConfig, ConsumerRunner, EventHandlers, ReceivedEvent, create_consumer_engine
from tests.consumer.item_events import ITEM_EVENTS, service_writers

metadata = MetaData()
applications = Table(
    "applications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", BigInteger, nullable=False),
)


class PoisonError(RuntimeError):
    """What the handler raises for a poisoned item."""


@dataclass
class Behaviour:
    """What the tests control and observe: slowness, poisoned SKUs, and every handler call."""

    delay_s: float = 0.0
    poison_skus: frozenset[str] = frozenset()
    # (sku, the broker's x-delivery-count): a failed batch calls a handler again for the same delivery.
    attempts: list[tuple[str, int]] = field(default_factory=list)

    def deliveries(self, sku: str) -> int:
        """How many times the broker delivered the item's event to a handler."""
        return len({count for attempted, count in self.attempts if attempted == sku})


@dataclass(frozen=True, slots=True)
class Tally:
    rows: int
    distinct_events: int
    quantity: int


def counting_handlers(behaviour: Behaviour) -> EventHandlers:
    handlers = EventHandlers()

    @handlers.on(*ITEM_EVENTS)
    def count(event: ReceivedEvent, connection: Connection) -> None:
        item = event.record["item"]
        behaviour.attempts.append((item["sku"], int(event.headers.get("x-delivery-count", 0))))
        if item["sku"] in behaviour.poison_skus:
            raise PoisonError(f"poisoned item {item['sku']}")
        if behaviour.delay_s:
            time.sleep(behaviour.delay_s)
        connection.execute(
            applications.insert().values(event_id=event.event_id, sku=item["sku"], quantity=item["quantity"])
        )

    return handlers


def counting_engine(database_url: str) -> Engine:
    engine = create_consumer_engine(database_url)
    metadata.create_all(engine, checkfirst=True)
    return engine


def counting_runner(config: ConsumerConfig, engine: Engine, behaviour: Behaviour) -> ConsumerRunner:
    return ConsumerRunner(config, counting_handlers(behaviour), engine, writers=service_writers())


def tally(engine: Engine) -> Tally:
    query = select(func.count(), func.count(applications.c.event_id.distinct()), func.sum(applications.c.quantity))
    with engine.connect() as connection:
        rows, distinct_events, quantity = connection.execute(query).one()
    return Tally(rows, distinct_events, quantity or 0)


def config_as_json(config: ConsumerConfig) -> str:
    return json.dumps(dataclasses.asdict(config))


def slow_acks(delay_s: float) -> None:
    """Delay every ack, as a congested link would; patched in this test process only."""
    ack = BlockingChannel.basic_ack

    def delayed_ack(channel: BlockingChannel, delivery_tag: int = 0, multiple: bool = False) -> None:
        time.sleep(delay_s)
        ack(channel, delivery_tag, multiple)

    BlockingChannel.basic_ack = delayed_ack


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    options = json.loads(os.environ["COUNTING_CONFIG"])
    config = ConsumerConfig(**{**options, "bindings": tuple(options["bindings"])})
    engine = counting_engine(os.environ["COUNTING_DATABASE_URL"])
    behaviour = Behaviour(delay_s=float(os.environ.get("COUNTING_DELAY_S", "0")))
    if ack_delay_s := float(os.environ.get("COUNTING_ACK_DELAY_S", "0")):
        slow_acks(ack_delay_s)
    counting_runner(config, engine, behaviour).run()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
