"""P2: `POST /v1/items` with its event, the outbox (service + relay) against publishing inside the request."""

from __future__ import annotations

import secrets
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass

from adapters.outbox_backlog import OutboxBacklog
from bench.bench_exchange import BenchExchange
from bench.contenders import EVENTS_DATABASE, events_environment, naive_publish_peer, ours
from bench.database import BenchDatabase, database_url
from bench.load import LoadPlan, run_wrk
from bench.options import BenchOptions
from bench.relay_process import relay_running
from bench.scenarios.base import BenchContext, Chart, ScenarioResult, Table, TargetCheck
from bench.scenarios.item_endpoints import MODES, Mode, _rate_range
from bench.servers import TICKS_PER_SECOND, RunningServer, ServerSpec, cpu_ticks, serving
from bench.stats import Sample, ratio, summarise
from bench.worker_split import WorkerSplitProbe

TARGET_RATIO = 3.0
CHART_LABELS = ("service + relay (outbox)", "naive: publish with confirm in the request")
SampleKey = tuple[str, str]
"""(contender, connection mode)."""


@dataclass(frozen=True)
class WriteSample:
    """One measured run, with what the relay did meanwhile (nothing for the peer, which has none)."""

    sample: Sample
    relay_cpu_s: float
    pending_after: int


class EventWriteScenario:
    """Interleaved rounds: the service with its relay process, then the naive peer (or the other way round)."""

    name = "event-write"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        servers = (ours(), naive_publish_peer(options))
        result = ScenarioResult(self.name, "P2: POST with its event, outbox + relay against a publish in the request")
        result.method = _method(options, servers)
        database = BenchDatabase(database_url("postgres", options, EVENTS_DATABASE))
        try:
            database.prepare()
            with BenchExchange(options.amqp_url, "write", with_queue=True) as exchange:
                samples = _measure(context, database, exchange, servers)
        finally:
            database.dispose()
        _report(result, servers, samples)
        return result


def _measure(
    context: BenchContext, database: BenchDatabase, exchange: BenchExchange, servers: tuple[ServerSpec, ...]
) -> dict[SampleKey, list[WriteSample]]:
    options = context.options
    samples: dict[SampleKey, list[WriteSample]] = defaultdict(list)
    environment = events_environment(database.url, options, exchange.name)
    for round_index in range(options.rounds):
        for offset in range(len(servers)):
            position = (round_index + offset) % len(servers)
            spec = servers[position]
            database.reset(options.seed_rows)
            exchange.purge()
            with ExitStack() as stack:
                relay_pid = stack.enter_context(relay_running(environment, "relay-event-write")) if position == 0 else 0
                server = stack.enter_context(serving(spec, options.base_port + position, environment))
                run_wrk(context.wrk, server.base_url, _plan(options, MODES[0], options.warmup_s))
                for mode in MODES:
                    measured = _run(context, server, mode, relay_pid, database, round_index)
                    samples[(spec.name, mode.key)].append(measured)
                    print(
                        f"  round {round_index + 1}/{options.rounds} {spec.name:6} {mode.key:10} "
                        f"{measured.sample.load.requests_per_s:8.0f} req/s  p50 {measured.sample.load.p50_ms:6.2f} ms  "
                        f"p99 {measured.sample.load.p99_ms:7.2f} ms  failed {measured.sample.load.failed}",
                        flush=True,
                    )
    return samples


def _run(
    context: BenchContext, server: RunningServer, mode: Mode, relay_pid: int, database: BenchDatabase, round_index: int
) -> WriteSample:
    relay_ticks = cpu_ticks(relay_pid) if relay_pid else 0
    with WorkerSplitProbe(server.worker_pids, server.port) as probe:
        load = run_wrk(context.wrk, server.base_url, _plan(context.options, mode, context.options.duration_s))
    relay_cpu_s = (cpu_ticks(relay_pid) - relay_ticks) / TICKS_PER_SECOND if relay_pid else 0.0
    pending = OutboxBacklog(database.engine).measure()[0] if relay_pid else 0
    return WriteSample(Sample(round_index, load, probe.split), relay_cpu_s, pending)


def _plan(options: BenchOptions, mode: Mode, duration_s: int) -> LoadPlan:
    lua_options = {"sku_prefix": f"W{secrets.token_hex(4).upper()}", "seed": str(secrets.randbelow(1_000_000))}
    return LoadPlan(
        "post_item.lua",
        "/",
        duration_s,
        options.connections,
        options.threads,
        connection_close=mode.connection_close,
        options=lua_options,
    )


def _method(options: BenchOptions, servers: tuple[ServerSpec, ...]) -> list[str]:
    return [
        "Contenders: " + "; ".join(spec.label for spec in servers) + ". Each runs under gunicorn with 2 workers, "
        f"on the same PostgreSQL database and tables, DB_POOL_SIZE={options.pool_size}, and publishes to the same "
        "exchange of the run's own, bound to a durable quorum queue as a real consumer's (purged before each turn).",
        "The service writes the item and its outbox row in one transaction and answers; its relay "
        "(`python -m entrypoints.relay`, a third process, started with the server and stopped after it) publishes "
        "with pipelined confirms. Its CPU is shown separately: it shares the 2 cores with the workers.",
        "The naive peer inserts the item and, inside the same transaction, publishes a JSON event on a pika "
        "BlockingConnection in confirm mode (one per worker thread, opened after the fork) and waits for the "
        "confirm before committing and answering.",
        f"wrk `POST /v1/items`, {options.connections} connections, {options.duration_s} s per measurement after a "
        f"{options.warmup_s} s warm-up, keep-alive and `Connection: close`; {options.rounds} interleaved rounds, the "
        f"order alternating; {options.seed_rows:,} items seeded before each turn. Medians over rounds.",
    ]


def _report(
    result: ScenarioResult, servers: tuple[ServerSpec, ...], samples: dict[SampleKey, list[WriteSample]]
) -> None:
    summaries = {key: summarise([run.sample for run in runs]) for key, runs in samples.items()}
    ours_name = servers[0].name
    rows: list[tuple[str, ...]] = []
    for mode in MODES:
        ours_summary = summaries[(ours_name, mode.key)]
        for spec in servers:
            summary = summaries[(spec.name, mode.key)]
            runs = samples[(spec.name, mode.key)]
            rows.append((
                mode.key, spec.label, _rate_range(summary), f"{summary.p50_ms:.2f}", f"{summary.p99_ms:.2f}",
                f"{summary.cpu_ms_per_request:.2f}", _relay_cpu(runs), _pending(runs),
                "-" if spec.name == ours_name else f"{ratio(ours_summary.requests_per_s, summary.requests_per_s):.2f}x",
            ))  # fmt: skip
    load = ("Connections", "Server", "req/s median (min-max)", "p50 ms", "p99 ms", "worker CPU ms/req")
    result.tables.append(Table((*load, "relay CPU ms/req", "left pending after the run", "Ours / this"), tuple(rows)))
    peer = servers[1].name
    for mode in MODES:
        rate = ratio(summaries[(ours_name, mode.key)].requests_per_s, summaries[(peer, mode.key)].requests_per_s)
        result.checks.append(
            TargetCheck(f"P2 POST req/s ≥ {TARGET_RATIO:.0f}x the naive publish-in-request peer ({mode.key})",
                        f"{rate:.2f}x", rate >= TARGET_RATIO)
        )  # fmt: skip
    result.charts.append(
        Chart(
            "P2: POST req/s with its event (median)",
            "req/s",
            tuple(mode.key for mode in MODES),
            {
                label: tuple(summaries[(spec.name, m.key)].requests_per_s for m in MODES)
                for label, spec in zip(CHART_LABELS, servers, strict=True)
            },
        )
    )
    failed = sum(summary.failed for summary in summaries.values())
    if failed:
        result.notes.append(f"{failed} requests failed (socket errors or non-2xx); the JSON says in which runs.")
    result.data = {
        "summaries": {"/".join(key): summary.to_json() for key, summary in summaries.items()},
        "samples": {
            "/".join(key): [
                {**run.sample.to_json(), "relay_cpu_s": run.relay_cpu_s, "pending_after": run.pending_after}
                for run in runs
            ]
            for key, runs in samples.items()
        },
    }


def _relay_cpu(runs: list[WriteSample]) -> str:
    requests = sum(run.sample.load.requests for run in runs)
    cpu_s = sum(run.relay_cpu_s for run in runs)
    return f"{1000 * cpu_s / requests:.2f}" if cpu_s and requests else "-"


def _pending(runs: list[WriteSample]) -> str:
    return str(max(run.pending_after for run in runs)) if any(run.relay_cpu_s for run in runs) else "-"
