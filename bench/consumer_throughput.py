"""Scenario P6: the consumer runner's throughput, next to raw pika consuming with manual acks.

`python -m bench.consumer_throughput [--events 20000] [--rounds 3] [--database sqlite|postgres]`
prints one JSON object. Each phase pre-fills the same quorum queue (declared exactly as
the runner declares it) with the same encoded ItemCreated events, then times:
raw, a pika BlockingConnection consuming with one `basic_ack` per message; runner,
`ConsumerRunner` from start until the last message is acked: Avro decoding via the
registry, one transaction per batch holding a projection insert per event and the
`processed_events` rows, a `multiple` ack after each commit; single, the runner with
`max_batch=1` (one transaction per message), on a quarter of the events. The phases
alternate order between rounds; medians are reported.

The consumer's database is SQLite by default, as for the example projection: a file of
its own in WAL mode. `--database postgres` measures the same on the PostgreSQL server,
where each handler write is a round trip to another process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, Uuid, delete, insert

from bench.database import BenchDatabase
from bench.options import DEFAULT_POSTGRES_URL
from bench.paths import WORK_DIR
from domain.item import Item
from eventing.event_encoder import EventEncoder
from eventing.outbox_message import OutboxMessage
from items_events import (
    ConsumerConfig,
    ConsumerRunner,
    EventHandlers,
    KnownWriterSchemas,
    ReceivedEvent,
    create_consumer_engine,
)
from items_events.processed_events import ProcessedEvents, processed_events
from items_events.queue_topology import declare_queue
from settings import load_settings
from wiring.messaging import event_catalog

SETTLE_S = 1.0
"""Pause before each phase, so the broker has finished with the previous one."""
TARGET_RATIO = 0.5
CREATED_AT = datetime(2024, 5, 1, tzinfo=UTC)

metadata = MetaData()
projection = Table("bench_projection", metadata, Column("id", Uuid(), primary_key=True), Column("version", Integer))
# Built once, as a real projection would: building a statement per event costs more than running it.
PROJECT = insert(projection)


class Progress:
    """Stops the runner once the last expected event is handled; that batch still commits and acks."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.handled = 0
        self.stop: Callable[[], None] = lambda: None


def projecting(progress: Progress) -> EventHandlers:
    handlers = EventHandlers()

    @handlers.on("items.v1.ItemCreated")
    def project(event: ReceivedEvent, connection: Connection) -> None:
        item = event.record["item"]
        connection.execute(PROJECT, {"id": item["id"], "version": item["version"]})
        progress.handled += 1
        if progress.handled == progress.expected:
            progress.stop()

    return handlers


def encoded_events(count: int) -> list[OutboxMessage]:
    encoder = EventEncoder(event_catalog(), "urn:bench", "http://127.0.0.1/v1/schemas")
    fields = {"sku": "", "name": "Bench item", "price": {"amount_minor": 100, "currency": "EUR"}, "tags": ["bench"]}
    items = (Item.create(uuid.uuid4(), {**fields, "sku": f"B-{n}", "quantity": n}, CREATED_AT) for n in range(count))
    return [encoder.encode(event) for item in items for event in item.events]


def fill(channel: BlockingChannel, config: ConsumerConfig, events: list[OutboxMessage]) -> None:
    channel.queue_purge(config.queue)
    for event in events:
        properties = pika.BasicProperties(delivery_mode=2, message_id=str(event.event_id), headers=event.headers)
        channel.basic_publish(config.exchange, event.routing_key, event.payload, properties)
    while channel.queue_declare(config.queue, passive=True).method.message_count < len(events):
        time.sleep(0.05)
    time.sleep(SETTLE_S)


def raw_rate(config: ConsumerConfig, count: int) -> float:
    """Plain pika: basic_consume with a prefetch window, one basic_ack per message."""
    started = time.perf_counter()
    connection = pika.BlockingConnection(pika.URLParameters(config.amqp_url))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=config.prefetch)
    acked = 0

    def on_message(channel: BlockingChannel, method: Any, _properties: Any, _body: bytes) -> None:
        nonlocal acked
        channel.basic_ack(method.delivery_tag)
        acked += 1
        if acked == count:
            channel.stop_consuming()

    channel.basic_consume(config.queue, on_message)
    channel.start_consuming()
    elapsed = time.perf_counter() - started
    connection.close()
    return count / elapsed


def runner_rate(config: ConsumerConfig, engine: Engine, count: int) -> float:
    """The runner from start (connect, declare) until the last batch is committed and acked."""
    with engine.begin() as connection:
        connection.execute(delete(projection))
        connection.execute(delete(processed_events))
    progress = Progress(count)
    writers = KnownWriterSchemas(event_catalog().registry.schemas())
    runner = ConsumerRunner(config, projecting(progress), engine, writers=writers)
    progress.stop = runner.stop
    started = time.perf_counter()
    runner.run()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.consumer_throughput", description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL.rsplit("/", 1)[0] + "/items_bench_consumer")
    args = parser.parse_args()
    url = args.postgres_url if args.database == "postgres" else f"sqlite:///{WORK_DIR / 'consumer_bench.sqlite3'}"
    BenchDatabase(url).prepare()
    engine = create_consumer_engine(url)
    metadata.create_all(engine)
    ProcessedEvents.create_table(engine)
    name = f"bench.consumer.{uuid.uuid4().hex[:8]}"
    config = ConsumerConfig(queue=name, bindings=("item.created",), exchange=name, amqp_url=load_settings().amqp_url)
    events = encoded_events(args.events)
    broker = pika.BlockingConnection(pika.URLParameters(config.amqp_url))
    channel = broker.channel()
    declare_queue(channel, config)
    quarter = events[: args.events // 4]
    phases: dict[str, tuple[list[OutboxMessage], Callable[[], float]]] = {
        "raw_per_s": (events, lambda: raw_rate(config, len(events))),
        "runner_per_s": (events, lambda: runner_rate(config, engine, len(events))),
        "single_per_s": (quarter, lambda: runner_rate(replace(config, max_batch=1), engine, len(quarter))),
    }
    rounds: list[dict[str, float]] = []
    try:
        for number in range(args.rounds):
            figures: dict[str, float] = {}
            # Alternate the order, so that neither side always runs after the other's backlog.
            for phase in sorted(phases, reverse=number % 2 == 1):
                batch, measure = phases[phase]
                fill(channel, config, batch)
                figures[phase] = round(measure())
            rounds.append(figures)
    finally:
        for queue in (config.queue, config.dead_letter_queue):
            channel.queue_delete(queue)
        for exchange in (config.exchange, config.dead_letter_exchange_name):
            channel.exchange_delete(exchange)
        broker.close()
        engine.dispose()
    print(json.dumps(summary(rounds, args.database, config, events), indent=2))


def summary(
    rounds: list[dict[str, float]], database: str, config: ConsumerConfig, events: list[OutboxMessage]
) -> dict[str, Any]:
    medians = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    ratio = round(medians["runner_per_s"] / medians["raw_per_s"], 2)
    return {
        "scenario": "P6 consumer throughput",
        "events": len(events),
        "database": database,
        "queue_type": "quorum",
        "body_bytes": len(events[0].payload),
        "prefetch": config.prefetch,
        "max_batch": config.max_batch,
        **{f"median_{name}": value for name, value in medians.items()},
        "runner_vs_raw": ratio,
        "target": f">= {TARGET_RATIO}x raw",
        "met": ratio >= TARGET_RATIO,
        "rounds": rounds,
    }


if __name__ == "__main__":
    main()
