"""One API process against two: POST and GET /v1/items on PostgreSQL, with the relay publishing.

`python -m bench.scale_out [--rounds 3] [--duration 5]` prints progress, a markdown table and
the figures as JSON. Each set-up serves the service as production does (gunicorn, 2 uvicorn
workers, JWT check and access log on) on one PostgreSQL database, reset to the same seeded
items before each turn, with one `python -m entrypoints.relay` publishing every POST's event
to an exchange of the run's own, routed to a durable quorum queue as a consumer's would be.
There is no load balancer: wrk drives every API process at
once, one wrk per process, the connections split evenly, so both set-ups get the same client
concurrency and the same number of wrk threads. The set-ups alternate within each round.

On a machine with few cores both API processes share them with PostgreSQL, the relay, RabbitMQ
and wrk, so the ratio shows what a second process costs or gains on the same cores, not what a
second machine would add.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from adapters.outbox_backlog import OutboxBacklog
from adapters.tables import outbox
from bench.bearer_token import bearer_headers
from bench.bench_exchange import BenchExchange
from bench.contenders import ours
from bench.database import BenchDatabase
from bench.load import LoadPlan, LoadResult, run_wrk
from bench.options import DEFAULT_POSTGRES_URL
from bench.paths import LUA_DIR, WORK_DIR
from bench.relay_process import relay_running
from bench.servers import RunningServer, ServerSpec, serving
from bench.stats import Sample, Summary, ratio, summarise
from bench.worker_split import WorkerSplit, WorkerSplitProbe
from bench.wrk_tool import ensure_wrk
from settings import load_settings

ENDPOINTS = {"post": ("POST /v1/items", "post_item.lua"), "get": ("GET /v1/items/{id}", "get_item.lua")}
SETUPS = {1: "1 API process x 2 workers", 2: "2 API processes x 2 workers"}


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    database = BenchDatabase(make_url(args.postgres_url).render_as_string(hide_password=False))
    database.prepare()
    load_before = os.getloadavg()
    try:
        with BenchExchange(load_settings().amqp_url, "scale", with_queue=True) as exchange:
            run = ScaleOutRun(args, ensure_wrk(), database, exchange)
            for number in range(args.rounds):
                for processes in sorted(SETUPS, reverse=number % 2 == 1):
                    run.measure_setup(processes, number)
    finally:
        database.dispose()
    summaries = {key: summarise(values) for key, values in run.samples.items()}
    print(markdown_table(summaries, run.relay_rates))
    figures = _figures(args, summaries, run)
    figures["load_average_1_5_15_min"] = {"before": load_before, "after": os.getloadavg()}
    print(json.dumps(figures, indent=2))
    return 0


class ScaleOutRun:
    """The samples of every set-up and endpoint, and the relay's rate during each POST run."""

    def __init__(self, args: argparse.Namespace, wrk: str, database: BenchDatabase, exchange: BenchExchange) -> None:
        self.args = args
        self.wrk = wrk
        self.database = database
        self.exchange = exchange
        self.samples: dict[tuple[int, str], list[Sample]] = {}
        self.relay_rates: dict[int, list[float]] = {}
        self.relay_backlogs: list[int] = []
        """Outbox rows still pending right after each POST run: near zero means the relay kept up."""

    def measure_setup(self, processes: int, round_number: int) -> None:
        """Seeded tables, `processes` API processes and a relay; then each endpoint, after a warm-up."""
        args, database = self.args, self.database
        database.reset(args.seed_rows)
        ids_file = WORK_DIR / "scale_out_ids.txt"
        ids_file.parent.mkdir(parents=True, exist_ok=True)
        ids_file.write_text("\n".join(database.item_ids()) + "\n")
        with (
            api_processes(processes, database.url, args.base_port) as servers,
            relay_running({"DATABASE_URL": database.url, "EVENTS_EXCHANGE": self.exchange.name}, "scale-out-relay"),
        ):
            for key in ENDPOINTS:
                measure(self.wrk, servers, key, args.warmup, args.connections, ids_file)
                wait_for_empty_outbox(database.engine)
                started = datetime.now(UTC)
                sample = Sample(
                    round_number, *measure(self.wrk, servers, key, args.duration, args.connections, ids_file)
                )
                self.samples.setdefault((processes, key), []).append(sample)
                line = (
                    f"round {round_number + 1}/{args.rounds} {SETUPS[processes]:28} {key:4} "
                    f"{sample.load.requests_per_s:7.0f} req/s  p50 {sample.load.p50_ms:6.2f} ms  "
                    f"p99 {sample.load.p99_ms:7.2f} ms  failed {sample.load.failed}  "
                    f"API CPU {sample.cpu_ms_per_request:.2f} ms/req"
                )
                if key == "post":
                    rate = marked_per_s(database.engine, started, sample.load.duration_s)
                    self.relay_rates.setdefault(processes, []).append(rate)
                    self.relay_backlogs.append(OutboxBacklog(database.engine).measure()[0])
                    line += f"  relay {rate:.0f} events/s, backlog {self.relay_backlogs[-1]}"
                print(line, flush=True)
        self.exchange.purge()


def measure(
    wrk: str, servers: Sequence[RunningServer], endpoint: str, duration_s: int, connections: int, ids_file: Path
) -> tuple[LoadResult, WorkerSplit]:
    """One wrk per server, all at once, the connections split evenly; the results merged."""
    plans = [
        LoadPlan(
            script=_script_of_its_own(ENDPOINTS[endpoint][1], number),
            path="/",
            duration_s=duration_s,
            connections=connections // len(servers),
            threads=max(1, 2 // len(servers)),
            options={
                "ids_file": str(ids_file),
                "sku_prefix": f"S{secrets.token_hex(4).upper()}",
                "seed": str(secrets.randbelow(1_000_000)),
            },
            headers=bearer_headers(),
        )
        for number in range(len(servers))
    ]
    with ExitStack() as stack, ThreadPoolExecutor(len(servers)) as pool:
        probes = [stack.enter_context(WorkerSplitProbe(server.worker_pids, server.port)) for server in servers]
        loads = list(pool.map(lambda pair: run_wrk(wrk, pair[0].base_url, pair[1]), zip(servers, plans, strict=True)))
    return merged_load(loads), merged_split([probe.split for probe in probes])


def _script_of_its_own(name: str, number: int) -> str:
    """A copy of the scenario script for wrk number `number`, named relative to the scripts directory.

    `run_wrk` writes each script, prefixed with the shared helpers, to a file named after it just
    before starting wrk; two wrk starting at once with the same name read each other's half-written file.
    """
    copy = WORK_DIR / f"scale-out-wrk-{number}" / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text((LUA_DIR / name).read_text())
    return os.path.relpath(copy, LUA_DIR)


def merged_load(loads: Sequence[LoadResult]) -> LoadResult:
    """Requests and rates add up; p50 and mean are request-weighted means, p90/p99/max the worst of the runs."""
    requests = sum(load.requests for load in loads)

    def weighted(field: str) -> float:
        return sum(getattr(load, field) * load.requests for load in loads) / requests if requests else 0.0

    errors: dict[str, int] = {}
    for load in loads:
        for kind, count in load.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    return LoadResult(
        requests=requests,
        duration_s=max(load.duration_s for load in loads),
        requests_per_s=sum(load.requests_per_s for load in loads),
        p50_ms=weighted("p50_ms"),
        p90_ms=max(load.p90_ms for load in loads),
        p99_ms=max(load.p99_ms for load in loads),
        mean_ms=weighted("mean_ms"),
        max_ms=max(load.max_ms for load in loads),
        errors=errors,
    )


def merged_split(splits: Sequence[WorkerSplit]) -> WorkerSplit:
    """Every worker of every server, as if one server; CPU shares are of all the workers together."""
    seconds = sum(split.cpu_seconds for split in splits) or 1.0
    shares = sorted(
        (share * split.cpu_seconds / seconds for split in splits for share in split.cpu_shares), reverse=True
    )
    connections = tuple(count for split in splits for count in split.connections)
    return WorkerSplit(tuple(shares), connections, sum(split.cpu_seconds for split in splits))


def wait_for_empty_outbox(engine: Engine, timeout_s: float = 30) -> None:
    """Until the relay has published what the warm-up wrote, so that a run counts only its own events."""
    deadline = time.monotonic() + timeout_s
    while OutboxBacklog(engine).measure()[0] and time.monotonic() < deadline:
        time.sleep(0.1)


def marked_per_s(engine: Engine, since: datetime, duration_s: float) -> float:
    """Outbox rows the relay marked published from `since`, per second of the run."""
    query = select(func.count()).where(outbox.c.published_at >= since)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one()) / duration_s if duration_s else 0.0


@contextmanager
def api_processes(count: int, database_url: str, base_port: int) -> Iterator[list[RunningServer]]:
    """`count` gunicorn masters of the service on one database, each with its own metrics directory."""
    environment = {"DATABASE_URL": database_url}
    with ExitStack() as stack:
        yield [
            stack.enter_context(serving(_api_spec(number), base_port + number, environment)) for number in range(count)
        ]


def _api_spec(number: int) -> ServerSpec:
    spec = ours(with_jwt=True)
    name = f"scale-out-api-{number}"
    return replace(spec, name=name, env={**spec.env, "PROMETHEUS_MULTIPROC_DIR": str(WORK_DIR / f"prometheus-{name}")})


def markdown_table(summaries: dict[tuple[int, str], Summary], relay_rates: dict[int, list[float]]) -> str:
    header = (
        "| Set-up | Operation | Requests/s, median (min-max) | p50 latency | p99 latency "
        "| API worker CPU per request | Events/s through the relay | 2 processes / 1 |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    rows = []
    for key, (label, _script) in ENDPOINTS.items():
        for processes, setup in SETUPS.items():
            summary = summaries[(processes, key)]
            versus = ratio(summary.requests_per_s, summaries[(1, key)].requests_per_s)
            events = f"{statistics.median(relay_rates[processes]):,.0f}" if key == "post" else "-"
            rows.append(
                f"| {setup} | {label} | {summary.requests_per_s:,.0f} "
                f"({summary.requests_per_s_min:,.0f}-{summary.requests_per_s_max:,.0f}) | "
                f"{summary.p50_ms:.1f} ms | {summary.p99_ms:.1f} ms | {summary.cpu_ms_per_request:.2f} ms | "
                f"{events} | {'-' if processes == 1 else f'{versus:.2f}x'} |"
            )
    return "\n".join([header, *rows])


def _figures(
    args: argparse.Namespace, summaries: dict[tuple[int, str], Summary], run: ScaleOutRun
) -> dict[str, object]:
    return {
        "scenario": "scale-out: one API process against two",
        "cpus": os.cpu_count(),
        "options": vars(args),
        "summaries": {
            f"{processes}-process/{key}": summary.to_json() for (processes, key), summary in summaries.items()
        },
        "relay_events_per_s": {f"{processes}-process": rates for processes, rates in run.relay_rates.items()},
        "relay_backlog_after_post_runs": run.relay_backlogs,
    }


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_out", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each measures both set-ups")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per measurement")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up load before each measurement")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections in all, split over the processes")
    parser.add_argument("--seed-rows", type=int, default=10_000, help="items in the table before each set-up's turn")
    parser.add_argument("--base-port", type=int, default=28180, help="first of the 127.0.0.1 ports used")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL.rsplit("/", 1)[0] + "/items_bench_scale",
        help="the database of the run (created if missing)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
