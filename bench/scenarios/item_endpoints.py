"""GET and POST of one item: the service against bare Flask and FastAPI, in interleaved rounds."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.contenders import check_as_shipped, contenders, request_headers, server_environment
from bench.database import BenchDatabase, database_url
from bench.load import LoadPlan, run_wrk
from bench.options import BenchOptions
from bench.paths import WORK_DIR
from bench.scenarios.base import BenchContext, Chart, ScenarioResult, Table, TargetCheck
from bench.servers import RunningServer, ServerSpec, serving
from bench.stats import Sample, Summary, ratio, summarise
from bench.worker_split import WorkerSplitProbe

GET_RATE_TARGET = 1.0
"""GET /v1/items/{id}: the service's req/s over bare Flask's, at least."""
GET_P99_TARGET = 1.2
"""GET /v1/items/{id}: the service's p99 over bare Flask's, at most."""
POST_RATE_TARGET = 1.0
"""POST /v1/items with its outbox row, no relay running: req/s over FastAPI's plain insert, at least."""
P1_TARGET = "P1 POST req/s with its outbox row, relay off,"
LOPSIDED_SHARE = 0.75
"""A run whose busiest worker did more than this share of the work counts as lopsided."""


@dataclass(frozen=True)
class Endpoint:
    """One endpoint under load and the Lua script that drives it."""

    key: str
    label: str
    script: str


@dataclass(frozen=True)
class Mode:
    """How wrk uses its connections."""

    key: str
    connection_close: bool


ENDPOINTS = (Endpoint("get", "GET /v1/items/{id}", "get_item.lua"), Endpoint("post", "POST /v1/items", "post_item.lua"))
MODES = (Mode("keep-alive", False), Mode("close", True))
SampleKey = tuple[str, str, str]
"""(contender, endpoint, mode)."""


class ItemEndpointsScenario:
    """Req/s, p50 and p99 of the two item endpoints for each contender, and the worker split."""

    name = "items"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        servers = contenders(options)
        result = ScenarioResult(self.name, "Item endpoints: the service against bare Flask and FastAPI")
        result.method = _method(options, servers)
        for kind in options.databases:
            database = BenchDatabase(database_url(kind, options))
            try:
                database.prepare()
                samples = _measure(context, database, servers)
            finally:
                database.dispose()
            _report(result, kind, servers, samples)
        return result


def _measure(
    context: BenchContext, database: BenchDatabase, servers: tuple[ServerSpec, ...]
) -> dict[SampleKey, list[Sample]]:
    options = context.options
    samples: dict[SampleKey, list[Sample]] = defaultdict(list)
    ids_file = WORK_DIR / "item_ids.txt"
    for round_index in range(options.rounds):
        # Rotating the order spreads any drift of the machine over every contender alike.
        for offset in range(len(servers)):
            position = (round_index + offset) % len(servers)
            spec = servers[position]
            database.reset(options.seed_rows)
            ids_file.parent.mkdir(parents=True, exist_ok=True)
            ids_file.write_text("\n".join(database.item_ids()) + "\n")
            environment = server_environment(database.url, options)
            with serving(spec, options.base_port + position, environment, options.workers) as server:
                check_as_shipped(server)
                _warm_up(context, server, ids_file)
                for endpoint in ENDPOINTS:
                    for mode in MODES:
                        plan = _plan(options, spec, endpoint, mode, options.duration_s, ids_file)
                        with WorkerSplitProbe(server.worker_pids, server.port) as probe:
                            load = run_wrk(context.wrk, server.base_url, plan)
                        sample = Sample(round_index, load, probe.split)
                        samples[(spec.name, endpoint.key, mode.key)].append(sample)
                        print(
                            f"  [{database.kind}] round {round_index + 1}/{options.rounds} {spec.name:8} "
                            f"{endpoint.key:4} {mode.key:10} {load.requests_per_s:8.0f} req/s  "
                            f"p50 {load.p50_ms:6.2f} ms  p99 {load.p99_ms:7.2f} ms  failed {load.failed}  "
                            f"{probe.split.describe()}",
                            flush=True,
                        )
    return samples


def _warm_up(context: BenchContext, server: RunningServer, ids_file: Path) -> None:
    options = context.options
    for endpoint in ENDPOINTS:
        plan = _plan(options, server.spec, endpoint, MODES[0], options.warmup_s, ids_file)
        run_wrk(context.wrk, server.base_url, plan)


def _plan(
    options: BenchOptions, spec: ServerSpec, endpoint: Endpoint, mode: Mode, duration_s: int, ids_file: Path
) -> LoadPlan:
    return LoadPlan(
        script=endpoint.script,
        path="/",
        duration_s=duration_s,
        connections=options.connections,
        threads=options.threads,
        connection_close=mode.connection_close,
        options={
            "ids_file": str(ids_file),
            "sku_prefix": f"B{secrets.token_hex(4).upper()}",
            "seed": str(secrets.randbelow(1_000_000)),
        },
        headers=request_headers(spec),
    )


def _method(options: BenchOptions, servers: tuple[ServerSpec, ...]) -> list[str]:
    return [
        "Contenders: " + "; ".join(spec.label for spec in servers) + f". Each runs under gunicorn with "
        f"{options.workers} workers; the service as shipped (the app and worker class of its gunicorn.conf.py), and "
        "before each of its turns the harness checks that a body against the spec gets a 400 problem "
        "(request validation on).",
        "Every contender uses the same database, the same `items`/`item_tags` tables and "
        f"DB_POOL_SIZE={options.pool_size}.",
        f"Before each contender's turn the tables are truncated and {options.seed_rows:,} items are seeded; "
        "GETs pick random seeded ids, POSTs send a unique sku per request (random run prefix + thread + counter).",
        "Only the service writes an outbox row per POST (its event contract); the peers do plain inserts.",
        "`ours` runs with AUTH_ENABLED=false, like the peers, which check no token; `ours-jwt` is the service with "
        "its JWT check on, sent a valid HS256 bearer token, to show what authentication costs. "
        "The targets compare `ours` with the peers.",
    ]


def _report(
    result: ScenarioResult, kind: str, servers: tuple[ServerSpec, ...], samples: dict[SampleKey, list[Sample]]
) -> None:
    summaries = {key: summarise(values) for key, values in samples.items()}
    result.tables.append(_table(kind, servers, samples, summaries))
    result.charts.extend(_charts(kind, servers, summaries))
    result.notes.extend(_split_notes(kind, servers, samples))
    if kind == "postgres" and {"flask", "fastapi"} <= {spec.name for spec in servers}:
        result.checks.extend(_checks(summaries, servers[0].name))
        result.notes.append(_cpu_note(summaries, servers[0].name))
    failed = sum(summary.failed for summary in summaries.values())
    if failed:
        result.notes.append(
            f"{kind}: {failed} requests failed (socket errors or non-2xx); the JSON says in which runs."
        )
    result.data[kind] = {
        "summaries": {"/".join(key): summary.to_json() for key, summary in summaries.items()},
        "samples": {"/".join(key): [sample.to_json() for sample in values] for key, values in samples.items()},
    }


def _lopsided(samples: list[Sample]) -> int:
    return sum(1 for sample in samples if sample.split.busiest_cpu_share > LOPSIDED_SHARE)


def _table(
    kind: str,
    servers: tuple[ServerSpec, ...],
    samples: dict[SampleKey, list[Sample]],
    summaries: dict[SampleKey, Summary],
) -> Table:
    ours_name = servers[0].name
    rows: list[tuple[str, ...]] = []
    for endpoint in ENDPOINTS:
        for mode in MODES:
            ours = summaries[(ours_name, endpoint.key, mode.key)]
            for spec in servers:
                key = (spec.name, endpoint.key, mode.key)
                summary = summaries[key]
                versus = "-" if spec.name == ours_name else f"{ratio(ours.requests_per_s, summary.requests_per_s):.2f}x"
                rows.append((
                    kind, endpoint.label, mode.key, spec.label, _rate_range(summary),
                    f"{summary.p50_ms:.2f}", f"{summary.p99_ms:.2f}", f"{summary.cpu_ms_per_request:.2f}",
                    f"{summary.busiest_cpu_share * 100:.0f} % ({_lopsided(samples[key])}/{summary.rounds} lopsided)",
                    versus,
                ))  # fmt: skip
    headers = ("DB", "Endpoint", "Connections", "Server", "req/s median (min-max)", "p50 ms", "p99 ms", "CPU ms/req")
    return Table((*headers, "Busiest worker's CPU share", "Ours / this (req/s)"), tuple(rows))


def _charts(kind: str, servers: tuple[ServerSpec, ...], summaries: dict[SampleKey, Summary]) -> list[Chart]:
    groups = tuple(f"{endpoint.key.upper()} {mode.key}" for endpoint in ENDPOINTS for mode in MODES)
    charts = []
    for title, field in (
        ("req/s (median)", "requests_per_s"),
        ("p99 latency, ms (median)", "p99_ms"),
        ("worker CPU ms per request (median)", "cpu_ms_per_request"),
    ):
        series = {
            spec.label: tuple(getattr(summaries[(spec.name, e.key, m.key)], field) for e in ENDPOINTS for m in MODES)
            for spec in servers
        }
        charts.append(Chart(f"{title} - {kind}", title, groups, series))
    return charts


def _split_notes(kind: str, servers: tuple[ServerSpec, ...], samples: dict[SampleKey, list[Sample]]) -> list[str]:
    notes = []
    for mode in MODES:
        counts = []
        for spec in servers:
            runs = [sample for endpoint in ENDPOINTS for sample in samples[(spec.name, endpoint.key, mode.key)]]
            counts.append(f"{spec.name} {_lopsided(runs)}/{len(runs)}")
        notes.append(
            f"{kind}, {mode.key}: runs whose busiest worker did more than {LOPSIDED_SHARE:.0%} of the work: "
            f"{', '.join(counts)}."
        )
    return notes


def _rate_range(summary: Summary) -> str:
    return f"{summary.requests_per_s:,.0f} ({summary.requests_per_s_min:,.0f}-{summary.requests_per_s_max:,.0f})"


def _cpu_note(summaries: dict[SampleKey, Summary], ours_name: str) -> str:
    """CPU per request hardly depends on what else the machine runs, so it backs up the req/s ratios."""
    parts = []
    for endpoint, peer in (("get", "flask"), ("post", "fastapi")):
        for mode in MODES:
            ours = summaries[(ours_name, endpoint, mode.key)].cpu_ms_per_request
            theirs = summaries[(peer, endpoint, mode.key)].cpu_ms_per_request
            parts.append(f"{endpoint.upper()} {mode.key} {ratio(ours, theirs):.2f}x {peer}'s")
    return (
        "Worker CPU per request, the service's over the peer's (less sensitive to a busy machine): "
        + "; ".join(parts)
        + "."
    )


def _checks(summaries: dict[SampleKey, Summary], ours_name: str) -> list[TargetCheck]:
    checks = []
    for mode in MODES:
        ours_get, flask_get = summaries[(ours_name, "get", mode.key)], summaries[("flask", "get", mode.key)]
        ours_post, fastapi_post = summaries[(ours_name, "post", mode.key)], summaries[("fastapi", "post", mode.key)]
        get_rate = ratio(ours_get.requests_per_s, flask_get.requests_per_s)
        get_p99 = ratio(ours_get.p99_ms, flask_get.p99_ms)
        post_rate = ratio(ours_post.requests_per_s, fastapi_post.requests_per_s)
        checks += [
            TargetCheck(f"GET req/s ≥ {GET_RATE_TARGET:.1f}x bare Flask's ({mode.key})", f"{get_rate:.2f}x",
                        get_rate >= GET_RATE_TARGET),
            TargetCheck(f"GET p99 ≤ {GET_P99_TARGET:.1f}x bare Flask's ({mode.key})", f"{get_p99:.2f}x",
                        get_p99 <= GET_P99_TARGET),
            TargetCheck(f"{P1_TARGET} ≥ {POST_RATE_TARGET:.1f}x FastAPI's insert-only POST ({mode.key})",
                        f"{post_rate:.2f}x", post_rate >= POST_RATE_TARGET),
        ]  # fmt: skip
    return checks
