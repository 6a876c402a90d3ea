"""Scenario P4: how fast the relay drains a full outbox, next to pika's raw publish-with-confirms rate.

`python -m bench.relay_drain [--rows 20000] [--rounds 5]` prints one JSON object. Each
round resets the same pre-filled outbox (PostgreSQL) to pending and measures, back
to back, with the same messages, exchange and bound durable queue:
raw, plain pika SelectConnection publishing with up to `relay_max_in_flight`
unconfirmed; drain, the relay from start until no row is pending (confirms and the
published marks included); blocking, a BlockingConnection waiting for each confirm
(on a tenth of the rows). Medians over the rounds are reported; the ratio is the median
of the per-round ratios. `*_cpu_us` is this process's CPU time per message (the relay
runs on a thread of it), a figure that a busy machine distorts less than rates.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pika
from sqlalchemy import Engine, text, update
from sqlalchemy.engine import make_url
from uuid6 import uuid7

from adapters.outbox_backlog import OutboxBacklog
from adapters.outbox_rows import PendingEvent
from adapters.outbox_writer import OutboxWriter
from adapters.sql_session import SqlSession
from adapters.tables import outbox
from app import build_injector
from bench.database import BenchDatabase
from bench.options import DEFAULT_POSTGRES_URL
from bench.raw_publish import PipelinedPublisher, one_by_one_rate
from domain.item import Item
from relay.composition import build_relay
from relay.outbox_source import OutboxSource
from relay.topology import Topology
from settings import Settings, load_settings

SETTLE_S = 1.0
"""Pause before each phase, so the broker has finished dropping the previous phase's messages."""


def fill_outbox(writer: OutboxWriter, engine: Engine, rows: int) -> None:
    """`rows` ItemCreated events encoded by the service's own encoder, inserted in a few statements."""
    with engine.connect() as connection:
        connection.execute(text("TRUNCATE outbox RESTART IDENTITY"))
        session = SqlSession(connection, begins_on_demand=False)
        for start in range(0, rows, 5000):
            created = [
                Item.create(uuid7(), _fields(number), datetime.now(UTC))
                for number in range(start, min(rows, start + 5000))
            ]
            writer.write(session, [event for item in created for event in item.events])
        session.commit()


def drain_rate(settings: Settings, engine: Engine, rows: int) -> float:
    """The relay from start until every row is marked published."""
    service = build_relay(settings)
    started = time.perf_counter()
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    backlog = OutboxBacklog(engine)
    while backlog.measure()[0]:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    service.stop()
    thread.join(30)
    return rows / elapsed


def reset_outbox(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(outbox).values(published_at=None))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE outbox"))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.relay_drain", description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL.rsplit("/", 1)[0] + "/items_bench_relay")
    args = parser.parse_args()
    database = BenchDatabase(make_url(args.postgres_url).render_as_string(hide_password=False))
    database.prepare()
    exchange = f"bench.relay.{uuid.uuid4().hex[:8]}"
    settings = load_settings(database_url=database.url, events_exchange=exchange)
    injector = build_injector(settings)
    engine = injector.get(Engine)
    fill_outbox(injector.get(OutboxWriter), engine, args.rows)
    messages = OutboxSource(engine).pending(args.rows, exclude=())
    broker = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
    channel = broker.channel()
    Topology(exchange).declare_blocking(channel)
    channel.queue_declare(exchange, durable=True, arguments={"x-expires": 600_000})
    channel.queue_bind(exchange, exchange, routing_key="#")
    window, few = settings.relay_max_in_flight, messages[: args.rows // 10]
    phases: dict[str, tuple[Callable[[], float], int]] = {
        "raw": (lambda: PipelinedPublisher(settings.amqp_url, exchange, messages, window).rate(), len(messages)),
        "drain": (lambda: drain_rate(settings, engine, args.rows), len(messages)),
        "blocking": (lambda: one_by_one_rate(settings.amqp_url, exchange, few), len(few)),
    }
    rounds: list[dict[str, float]] = []
    try:
        for number in range(args.rounds):
            figures: dict[str, float] = {}
            # Alternate the order, so that neither side always runs after the other's backlog.
            for name in sorted(phases, reverse=number % 2 == 1):
                reset_outbox(engine)
                channel.queue_purge(exchange)
                time.sleep(SETTLE_S)
                measure, count = phases[name]
                cpu_before = time.process_time()
                figures[f"{name}_per_s"] = round(measure())
                # This process's CPU per message (the relay runs on a thread here): robust to a busy machine.
                figures[f"{name}_cpu_us"] = round((time.process_time() - cpu_before) / count * 1e6, 1)
            rounds.append(figures)
    finally:
        channel.queue_delete(exchange)
        channel.exchange_delete(exchange)
        broker.close()
        engine.dispose()
    print(json.dumps(summary(rounds, messages, settings), indent=2))


def summary(rounds: list[dict[str, float]], messages: Sequence[PendingEvent], settings: Settings) -> dict[str, Any]:
    medians = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    sample = messages[0]
    return {
        "scenario": "P4 relay drain",
        "rows": len(messages),
        "body_bytes": len(sample.payload),
        "header_bytes": sum(len(k) + len(v) for k, v in sample.headers.items()),
        "max_in_flight": settings.relay_max_in_flight,
        "batch_size": settings.relay_batch_size,
        **{f"median_{name}": value for name, value in medians.items()},
        # Paired per round: both sides saw the same machine load at nearly the same time.
        "drain_vs_raw": round(statistics.median(r["drain_per_s"] / r["raw_per_s"] for r in rounds), 2),
        "rounds": rounds,
    }


def _fields(number: int) -> dict[str, Any]:
    return {
        "sku": f"B-{number}",
        "name": f"Bench item {number}",
        "tags": ["bench"],
        "price": {"amount_minor": 100 + number, "currency": "EUR"},
    }


if __name__ == "__main__":
    main()
