"""Command-line options of `python -m bench`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass

from bench.servers import WORKERS
from settings import DEFAULT_AMQP_URL

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/items_bench"

DATABASE_KINDS = ("postgres", "sqlite")
CONTENDERS = ("ours", "ours-jwt", "flask", "fastapi")


@dataclass(frozen=True)
class BenchOptions:
    """Everything a run needs to know; `--quick` shrinks it to a smoke run."""

    scenarios: tuple[str, ...]
    contenders: tuple[str, ...]
    databases: tuple[str, ...]
    duration_s: int
    warmup_s: int
    rounds: int
    list_rounds: int
    connections: int
    threads: int
    workers: int
    seed_rows: int
    list_small_rows: int
    list_large_rows: int
    postgres_url: str
    pool_size: int
    flask_threads: int
    fastapi_threads: int
    base_port: int
    amqp_url: str
    latency_duration_s: int
    latency_threads: int
    drain_rows: int
    drain_rounds: int
    consumer_events: int
    consumer_rounds: int
    memory_requests: int
    memory_time_limit_s: int
    idle_window_s: float
    quick: bool
    publish: bool


def parse_options(
    argv: Sequence[str] | None, scenario_names: Sequence[str], default_scenarios: Sequence[str]
) -> BenchOptions:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmark the Items service against peers.")
    parser.add_argument(
        "--scenarios", default=",".join(default_scenarios), help=f"comma-separated; known: {', '.join(scenario_names)}"
    )
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help="comma-separated; `ours` is always measured")
    parser.add_argument("--databases", default="postgres", help="comma-separated: postgres, sqlite")
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per measurement")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up load per endpoint after a start")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (every server once per round)")
    parser.add_argument("--list-rounds", type=int, default=5, help="rounds of the list-page check")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers of every contender alike")
    parser.add_argument("--seed-rows", type=int, default=10_000, help="items in the table before each measurement")
    parser.add_argument("--list-rows", type=int, default=1_000_000, help="rows of the large table of the list check")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="the bench database (created if missing; others are made beside it); env BENCH_POSTGRES_URL",
    )
    parser.add_argument("--pool-size", type=int, default=10, help="DB_POOL_SIZE given to every server")
    parser.add_argument("--flask-threads", type=int, default=8, help="gthread threads per Flask worker")
    parser.add_argument("--fastapi-threads", type=int, default=8, help="anyio thread limit per FastAPI worker")
    parser.add_argument("--base-port", type=int, default=28080, help="first of the 127.0.0.1 ports used")
    parser.add_argument(
        "--amqp-url", default=os.environ.get("AMQP_URL", DEFAULT_AMQP_URL), help="the broker; env AMQP_URL"
    )
    parser.add_argument("--latency-duration", type=int, default=20, help="seconds of fixed-rate load of P5")
    parser.add_argument("--latency-threads", type=int, default=16, help="sender threads of P5's open-loop load")
    parser.add_argument("--drain-rows", type=int, default=20_000, help="outbox rows of P4 (relay drain)")
    parser.add_argument("--drain-rounds", type=int, default=5, help="rounds of P4")
    parser.add_argument("--consumer-events", type=int, default=20_000, help="queued events of P6 (consumer)")
    parser.add_argument("--consumer-rounds", type=int, default=3, help="rounds of P6")
    parser.add_argument("--memory-requests", type=int, default=100_000, help="requests of the worker-memory check")
    parser.add_argument(
        "--memory-time-limit", type=int, default=240, help="seconds the worker-memory load may take at most"
    )
    parser.add_argument(
        "--idle-window", type=float, default=2.0, help="seconds of idle CPU measured before each P2 load run"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds per server")
    parser.add_argument(
        "--publish",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="update results/latest.json and docs/benchmarks.md (default: for full runs of the default scenarios)",
    )
    args = parser.parse_args(argv)
    scenarios = _names(args.scenarios, scenario_names, parser, "scenario")
    databases = _names(args.databases, DATABASE_KINDS, parser, "database")
    contenders = tuple(dict.fromkeys(("ours", *_names(args.contenders, CONTENDERS, parser, "contender"))))
    quick = bool(args.quick)
    return BenchOptions(
        scenarios=scenarios,
        contenders=contenders,
        databases=databases,
        duration_s=2 if quick else args.duration,
        warmup_s=1 if quick else args.warmup,
        rounds=1 if quick else args.rounds,
        list_rounds=1 if quick else args.list_rounds,
        connections=args.connections,
        threads=min(args.threads, args.connections),
        workers=args.workers,
        seed_rows=1_000 if quick else args.seed_rows,
        list_small_rows=1_000,
        list_large_rows=20_000 if quick else args.list_rows,
        postgres_url=args.postgres_url,
        pool_size=args.pool_size,
        flask_threads=args.flask_threads,
        fastapi_threads=args.fastapi_threads,
        base_port=args.base_port,
        amqp_url=args.amqp_url,
        latency_duration_s=5 if quick else args.latency_duration,
        latency_threads=args.latency_threads,
        drain_rows=2_000 if quick else args.drain_rows,
        drain_rounds=1 if quick else args.drain_rounds,
        consumer_events=2_000 if quick else args.consumer_events,
        consumer_rounds=1 if quick else args.consumer_rounds,
        memory_requests=5_000 if quick else args.memory_requests,
        memory_time_limit_s=30 if quick else args.memory_time_limit,
        idle_window_s=1.0 if quick else args.idle_window,
        quick=quick,
        publish=_publishes(args.publish, quick, scenarios, default_scenarios),
    )


def _names(value: str, known: Sequence[str], parser: argparse.ArgumentParser, what: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        parser.error(f"unknown {what} {', '.join(unknown) or '(none given)'}; known: {', '.join(known)}")
    return names


def _publishes(asked: bool | None, quick: bool, scenarios: Sequence[str], default_scenarios: Sequence[str]) -> bool:
    if asked is not None:
        return asked
    return not quick and set(default_scenarios) <= set(scenarios)
