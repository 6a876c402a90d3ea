"""Resident memory of each API worker of the service as shipped, from boot through 100k requests."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bench.contenders import check_as_shipped, ours, request_headers, server_environment
from bench.database import BenchDatabase, database_url
from bench.load import LoadPlan, LoadResult, run_wrk
from bench.options import BenchOptions
from bench.paths import WORK_DIR
from bench.process_budget import proc_status_field
from bench.scenarios.base import BenchContext, ScenarioResult, Table, TargetCheck
from bench.scenarios.item_endpoints import MODES
from bench.servers import RunningServer, serving, worker_pids
from bench.shipped_install import shipped_python

RSS_TARGET_MB = 100.0
"""Resident set of every API worker after the run's requests, at most."""
POST_SHARE = 0.25
CHUNK_S = 10
"""Seconds of load between two readings of the workers' memory (`--quick`: QUICK_CHUNK_S)."""
QUICK_CHUNK_S = 2
KIB_PER_MB = 1024


@dataclass(frozen=True)
class Reading:
    """The workers' VmRSS (KiB, by PID) after this many requests."""

    requests: int
    elapsed_s: float
    rss_kib: dict[int, int]


@dataclass
class MemoryRun:
    """Every reading of one run, the load runs between them and whether the workers survived it."""

    workers: tuple[int, ...]
    readings: list[Reading]
    loads: list[LoadResult]
    workers_after: tuple[int, ...]

    @property
    def requests(self) -> int:
        return self.readings[-1].requests

    @property
    def failed(self) -> int:
        return sum(load.failed for load in self.loads)

    @property
    def workers_replaced(self) -> bool:
        """A worker that died and was forked again starts small, which would hide a leak."""
        return set(self.workers_after) != set(self.workers)


class WorkerMemoryScenario:
    """The service with its JWT check and access log on, under a mix of GETs and POSTs until N requests."""

    name = "worker-memory"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        result = ScenarioResult(self.name, f"Memory of each API worker over {options.memory_requests:,} requests")
        result.method = _method(options)
        database = BenchDatabase(database_url("postgres", options))
        ids_file = WORK_DIR / "memory_item_ids.txt"
        try:
            database.prepare()
            database.reset(options.seed_rows)
            ids_file.parent.mkdir(parents=True, exist_ok=True)
            ids_file.write_text("\n".join(database.item_ids()) + "\n")
            spec = replace(ours(with_jwt=True), python=str(shipped_python()))
            with serving(spec, options.base_port, server_environment(database.url, options), options.workers) as server:
                check_as_shipped(server)
                run = _measure(context, server, ids_file)
        finally:
            database.dispose()
        _report(result, options, run)
        return result


def _measure(context: BenchContext, server: RunningServer, ids_file: Path) -> MemoryRun:
    options = context.options
    started = time.monotonic()
    deadline = started + options.memory_time_limit_s
    readings = [Reading(0, 0.0, _rss(server.worker_pids))]
    loads: list[LoadResult] = []
    while readings[-1].requests < options.memory_requests and time.monotonic() < deadline:
        mode = MODES[len(loads) % len(MODES)]
        chunk_s = min(_chunk_s(options), max(int(deadline - time.monotonic()), 1))
        load = run_wrk(context.wrk, server.base_url, _plan(options, server, ids_file, chunk_s, mode.connection_close))
        loads.append(load)
        total = readings[-1].requests + load.requests
        readings.append(Reading(total, time.monotonic() - started, _rss(server.worker_pids)))
        print(
            f"  {total:,} requests ({mode.key}, {load.requests_per_s:,.0f} req/s, failed {load.failed}): RSS "
            + ", ".join(f"{kib / KIB_PER_MB:.1f}" for kib in readings[-1].rss_kib.values())
            + " MB",
            flush=True,
        )
    return MemoryRun(server.worker_pids, readings, loads, worker_pids(server.pid))


def _plan(options: BenchOptions, server: RunningServer, ids_file: Path, duration_s: int, close: bool) -> LoadPlan:
    return LoadPlan(
        script="mixed_items.lua",
        path="/",
        duration_s=duration_s,
        connections=options.connections,
        threads=options.threads,
        connection_close=close,
        options={
            "ids_file": str(ids_file),
            "sku_prefix": f"M{secrets.token_hex(4).upper()}",
            "seed": str(secrets.randbelow(1_000_000)),
            "post_share": str(POST_SHARE),
        },
        headers=request_headers(server.spec),
    )


def _chunk_s(options: BenchOptions) -> int:
    return QUICK_CHUNK_S if options.quick else CHUNK_S


def _rss(workers: tuple[int, ...]) -> dict[int, int]:
    return {pid: proc_status_field(pid, "VmRSS") for pid in workers}


def _method(options: BenchOptions) -> list[str]:
    return [
        f"The service as shipped (its gunicorn.conf.py, {options.workers} workers, JWT check and access log on, "
        "request validation on, no relay) on PostgreSQL, run from a virtualenv of requirements.txt and the "
        "consumer library alone, as the image installs them (bench/shipped_install.py), "
        f"{options.seed_rows:,} items seeded; a bearer token on every request.",
        f"wrk, {options.connections} connections, {POST_SHARE:.0%} `POST /v1/items` (a new item each) and the rest "
        f"`GET /v1/items/{{id}}` of random seeded ids, in runs of {_chunk_s(options)} s alternating keep-alive "
        f"and `Connection: close`, until {options.memory_requests:,} requests have been answered or "
        f"{options.memory_time_limit_s} s have passed.",
        "Each worker's VmRSS (/proc/<pid>/status) after boot, before any request, and after every run.",
    ]


def _report(result: ScenarioResult, options: BenchOptions, run: MemoryRun) -> None:
    first, after_first, last = run.readings[0], run.readings[min(1, len(run.readings) - 1)], run.readings[-1]
    rows = tuple(
        (
            str(index + 1),
            _mb(first.rss_kib[pid]),
            _mb(after_first.rss_kib[pid]),
            _mb(last.rss_kib[pid]),
            f"{(last.rss_kib[pid] - after_first.rss_kib[pid]) / KIB_PER_MB:+.1f}",
        )
        for index, pid in enumerate(run.workers)
    )
    result.tables.append(
        Table(
            (
                "Worker",
                "RSS after boot, MB",
                f"after {after_first.requests:,} requests, MB",
                f"after {last.requests:,} requests, MB",
                "growth since the first run, MB",
            ),
            rows,
        )
    )
    peak_mb = max(last.rss_kib.values(), default=0) / KIB_PER_MB
    reached = last.requests >= options.memory_requests
    met = reached and peak_mb <= RSS_TARGET_MB and not run.workers_replaced and all(last.rss_kib.values())
    measured = f"{peak_mb:.1f} MB, the larger worker, after {last.requests:,} requests"
    if not reached:
        measured += f" (the {options.memory_time_limit_s} s limit came first)"
    if run.workers_replaced:
        measured += " (a worker was replaced meanwhile)"
    result.checks.append(
        TargetCheck(f"RSS per API worker after {options.memory_requests:,} requests ≤ {RSS_TARGET_MB:.0f} MB",
                    measured, met)
    )  # fmt: skip
    rate = last.requests / last.elapsed_s if last.elapsed_s else 0.0
    summary = f"{last.requests:,} requests in {last.elapsed_s:.0f} s ({rate:,.0f} req/s), {run.failed} failed."
    result.notes.append(summary)
    result.data = {
        "workers": list(run.workers),
        "workers_after": list(run.workers_after),
        "readings": [asdict(reading) for reading in run.readings],
        "loads": [load.to_json() for load in run.loads],
    }


def _mb(kib: int) -> str:
    return f"{kib / KIB_PER_MB:.1f}"
