"""P2's report: the method text, the tables of req/s and of CPU per POST by process, the checks and the chart."""

from __future__ import annotations

import dataclasses
import math
import os
import statistics
from dataclasses import dataclass

from bench.options import BenchOptions
from bench.process_budget import BudgetSample, median_ms_per_request
from bench.scenarios.base import Chart, ScenarioResult, Table, TargetCheck
from bench.scenarios.item_endpoints import MODES, _rate_range
from bench.servers import ServerSpec
from bench.stats import Sample, Summary, ratio, summarise

TARGET_RATIO = 1.2
"""The service with its relay running: req/s over the naive peer's, at least."""
DRAIN_TIMEOUT_S = 30.0
"""How long a measurement waits, after its load, for the relay to publish the rest of the backlog."""
RELAY = "relay"
BUDGET_GROUPS = (
    ("api", "API workers"),
    (RELAY, "relay"),
    ("postgres", "PostgreSQL backends"),
    ("postgres-shared", "PostgreSQL background, shared"),
    ("broker", "RabbitMQ beam.smp, shared"),
)
CHART_LABELS = ("service + relay (outbox)", "naive: publish with confirm in the request")
SampleKey = tuple[str, str]
"""(contender, connection mode)."""


@dataclass(frozen=True)
class WriteSample:
    """One measured run, with what the relay did meanwhile (nothing for the peer, which has none)."""

    sample: Sample
    relay_cpu_s: float
    pending_after: int
    budget: BudgetSample


def method(options: BenchOptions, servers: tuple[ServerSpec, ...]) -> list[str]:
    return [
        "Contenders: " + "; ".join(spec.label for spec in servers) + f". Each runs under gunicorn with "
        f"{options.workers} workers, on the same PostgreSQL database and tables, DB_POOL_SIZE={options.pool_size}, and "
        "publishes to the same exchange of the run's own, bound to a durable quorum queue as a real consumer's "
        "(purged before each turn). No consumer reads it: the example consumer is off.",
        "The service runs as shipped (its gunicorn.conf.py, request validation on) and writes the item and its "
        "outbox row in one transaction and answers; its relay (`python -m entrypoints.relay`, a third process, "
        "started with the server and stopped after it) publishes with pipelined confirms.",
        "The naive peer inserts the item and, inside the same transaction, publishes a JSON event on a pika "
        "BlockingConnection in confirm mode (one per worker thread, opened in that thread after the fork, kept "
        "for the worker's life) and waits for the confirm before committing and answering.",
        f"wrk `POST /v1/items`, {options.connections} connections, {options.duration_s} s per measurement after a "
        f"{options.warmup_s} s warm-up, keep-alive and `Connection: close`; {options.rounds} interleaved rounds, the "
        f"order alternating; {options.seed_rows:,} items seeded before each turn. Medians over rounds.",
        "CPU per POST (the second table): user + system time from /proc/<pid>/stat of every process a POST "
        "passes through, from the "
        f"start of the load until the relay has published the backlog (at most {DRAIN_TIMEOUT_S:.0f} s after it), "
        "over the requests served. PostgreSQL backends are those of the bench database (pg_stat_activity), less the "
        "harness's own. The postmaster with its background processes and the broker (the beam.smp listening on "
        "the AMQP port) also serve others on the machine: their CPU rate over an idle window of "
        f"{options.idle_window_s:g} s after each turn's warm-up (and the relay's catching up) is subtracted.",
    ]


def report(
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
    result.tables.append(_budget_table(servers, samples, summaries))
    result.checks.extend(_checks(summaries, ours_name, servers[1].name))
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
                {
                    **run.sample.to_json(),
                    "relay_cpu_s": run.relay_cpu_s,
                    "pending_after": run.pending_after,
                    "cpu_budget": dataclasses.asdict(run.budget),
                }
                for run in runs
            ]
            for key, runs in samples.items()
        },
    }


def _checks(summaries: dict[SampleKey, Summary], ours_name: str, peer: str) -> list[TargetCheck]:
    checks = []
    for mode in MODES:
        rate = ratio(summaries[(ours_name, mode.key)].requests_per_s, summaries[(peer, mode.key)].requests_per_s)
        checks.append(
            TargetCheck(f"P2 POST req/s, API and relay running, ≥ {TARGET_RATIO:.1f}x the naive peer that publishes "
                        f"with a blocking confirm in the request ({mode.key})", f"{rate:.2f}x", rate >= TARGET_RATIO)
        )  # fmt: skip
    return checks


def _budget_table(
    servers: tuple[ServerSpec, ...], samples: dict[SampleKey, list[WriteSample]], summaries: dict[SampleKey, Summary]
) -> Table:
    """CPU ms per POST of each process group, medians over rounds, and how much of the machine that fills."""
    rows: list[tuple[str, ...]] = []
    for mode in MODES:
        for spec in servers:
            budgets = [run.budget for run in samples[(spec.name, mode.key)]]
            cells = [_ms(median_ms_per_request(budgets, key)) for key, _ in BUDGET_GROUPS]
            total = statistics.median(budget.total_ms_per_request() for budget in budgets)
            busy = total * summaries[(spec.name, mode.key)].requests_per_s / (1000 * (os.cpu_count() or 1))
            rows.append((mode.key, spec.label, *cells, _ms(total), f"{busy:.0%}"))
    groups = (f"{label}, ms" for _, label in BUDGET_GROUPS)
    headers = ("Connections", "CPU per POST of", *groups, "total, ms", "share of all cores at that rate")
    return Table(headers, tuple(rows))


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def _relay_cpu(runs: list[WriteSample]) -> str:
    requests = sum(run.sample.load.requests for run in runs)
    cpu_s = sum(run.relay_cpu_s for run in runs)
    return f"{1000 * cpu_s / requests:.2f}" if cpu_s and requests else "-"


def _pending(runs: list[WriteSample]) -> str:
    return str(max(run.pending_after for run in runs)) if any(run.relay_cpu_s for run in runs) else "-"
