"""What tracing costs: worker CPU per `POST /v1/items` with tracing off, on but sampled out, and on.

Each variant is the service as `ours` runs it, on the same PostgreSQL tables, differing only
in the standard `OTEL_*` variables: none (off), an OTLP endpoint with `always_off` sampling,
and an OTLP endpoint with every request sampled and exported to a local sink. Variants
alternate order between rounds. With tracing off nothing of OpenTelemetry is installed; what
is left on the request path (one look at the current span when the outbox row is written) is
timed on its own, in this process.
"""

from __future__ import annotations

import dataclasses
import secrets
import timeit
from collections import defaultdict

from bench.contenders import ours, server_environment
from bench.database import BenchDatabase, database_url
from bench.load import LoadPlan, run_wrk
from bench.options import BenchOptions
from bench.otlp_sink import OtlpSink
from bench.scenarios.base import BenchContext, ScenarioResult, Table, TargetCheck
from bench.servers import ServerSpec, serving
from bench.stats import Sample, Summary, summarise
from bench.worker_split import WorkerSplitProbe
from observability.request_context import current_traceparent

DATABASE = "tracing"
VARIANTS = {
    "off": {},
    "sampled-out": {"OTEL_TRACES_SAMPLER": "always_off"},
    "on": {"OTEL_TRACES_SAMPLER": "always_on"},
}
OFF_PATH_BUDGET = 0.01
"""Tracing off must cost under 1 % of a request's worker CPU."""


class TracingOverheadScenario:
    """Interleaved rounds of the three variants; keep-alive connections, medians over rounds."""

    name = "tracing-overhead"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        result = ScenarioResult(self.name, "Tracing: worker CPU per POST with tracing off, sampled out and on")
        result.method = _method(options)
        database = BenchDatabase(database_url("postgres", options, DATABASE))
        samples: dict[str, list[Sample]] = defaultdict(list)
        try:
            database.prepare()
            with OtlpSink() as sink:
                specs = _variants(sink.endpoint)
                for round_index in range(options.rounds):
                    names = list(VARIANTS)
                    start = round_index % len(names)
                    for name in names[start:] + names[:start]:
                        samples[name].append(_measure(context, database, specs[name], round_index))
                exported = sink.exports
        finally:
            database.dispose()
        _report(result, {name: summarise(runs) for name, runs in samples.items()}, exported)
        return result


def _variants(endpoint: str) -> dict[str, ServerSpec]:
    base = ours()
    specs = {}
    for name, variables in VARIANTS.items():
        tracing = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, **variables} if variables else {}
        label = f"tracing {name}"
        specs[name] = dataclasses.replace(base, name=f"tracing-{name}", label=label, env={**base.env, **tracing})
    return specs


def _measure(context: BenchContext, database: BenchDatabase, spec: ServerSpec, round_index: int) -> Sample:
    options = context.options
    database.reset(options.seed_rows)
    with serving(spec, options.base_port, server_environment(database.url, options), options.workers) as server:
        run_wrk(context.wrk, server.base_url, _plan(options, options.warmup_s))
        with WorkerSplitProbe(server.worker_pids, server.port) as probe:
            load = run_wrk(context.wrk, server.base_url, _plan(options, options.duration_s))
    sample = Sample(round_index, load, probe.split)
    print(
        f"  round {round_index + 1}/{options.rounds} {spec.label:20} {load.requests_per_s:8.0f} req/s  "
        f"worker CPU {sample.cpu_ms_per_request:5.2f} ms/req  failed {load.failed}",
        flush=True,
    )
    return sample


def _plan(options: BenchOptions, duration_s: int) -> LoadPlan:
    lua_options = {"sku_prefix": f"T{secrets.token_hex(4).upper()}", "seed": str(secrets.randbelow(1_000_000))}
    return LoadPlan("post_item.lua", "/", duration_s, options.connections, options.threads, options=lua_options)


def off_path_us(calls: int = 200_000) -> float:
    """Microseconds per request that tracing off leaves on the path: the outbox writer's look at the span."""
    return timeit.timeit(current_traceparent, number=calls) / calls * 1e6


def _method(options: BenchOptions) -> list[str]:
    return [
        "The service as `ours` runs it (gunicorn, 2 workers, no token check, no access log), on PostgreSQL, "
        f"DB_POOL_SIZE={options.pool_size}, {options.seed_rows:,} items seeded before each turn. Variants differ "
        "only in OTEL_* variables: none; OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_TRACES_SAMPLER=always_off; "
        "the endpoint with always_on, every span exported by the batch processor to an OTLP/HTTP sink of the "
        "bench's own on 127.0.0.1 (it answers and discards).",
        f"wrk `POST /v1/items`, {options.connections} keep-alive connections, {options.duration_s} s after a "
        f"{options.warmup_s} s warm-up; {options.rounds} rounds, the order rotating. Worker CPU per request (from "
        "/proc, both workers) is the figure compared: it does not depend on how busy the machine is otherwise.",
    ]


def _report(result: ScenarioResult, summaries: dict[str, Summary], exported: int) -> None:
    off = summaries["off"].cpu_ms_per_request
    rows = []
    for name, summary in summaries.items():
        extra = summary.cpu_ms_per_request - off
        rows.append((
            name, f"{summary.requests_per_s:,.0f}", f"{summary.p50_ms:.2f}", f"{summary.p99_ms:.2f}",
            f"{summary.cpu_ms_per_request:.2f}", "-" if name == "off" else f"{extra:+.2f} ({extra / off:+.0%})",
        ))  # fmt: skip
    headers = ("Tracing", "req/s median", "p50 ms", "p99 ms", "worker CPU ms/req", "vs off")
    result.tables.append(Table(headers, tuple(rows)))
    left_us = off_path_us()
    share = left_us / (off * 1000) if off else float("nan")
    result.checks.append(
        TargetCheck(
            f"tracing off costs < {OFF_PATH_BUDGET:.0%} of a POST's worker CPU",
            f"{left_us:.2f} µs per request left on the path ({share:.3%} of {off:.2f} ms)",
            share < OFF_PATH_BUDGET,
        )
    )
    result.notes.append(f"The sink took {exported} OTLP exports during the `on` runs.")
    result.data = {
        "summaries": {name: summary.to_json() for name, summary in summaries.items()},
        "off_path_us": left_us,
        "otlp_exports": exported,
    }
