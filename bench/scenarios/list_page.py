"""A page of `GET /v1/items` on a small and a large table: keyset pages must not slow down with size."""

from __future__ import annotations

import base64
import json
import time
import urllib.request
from collections import defaultdict
from contextlib import ExitStack
from typing import Any

from bench.contenders import ours, server_environment
from bench.database import BenchDatabase, database_url
from bench.load import LoadPlan, run_wrk
from bench.options import BenchOptions
from bench.scenarios.base import BenchContext, Chart, ScenarioResult, Table, TargetCheck
from bench.servers import RunningServer, serving
from bench.stats import Sample, ratio, summarise
from bench.worker_split import WorkerSplitProbe

PAGE_SIZE = 20
TARGET_RATIO = 1.3


class ListPageScenario:
    """Latency of the first and of a middle page of 20 items at the small vs the large row count."""

    name = "list"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        sizes = (options.list_small_rows, options.list_large_rows)
        result = ScenarioResult(self.name, f"List page: {sizes[0]:,} rows vs {sizes[1]:,} rows (PostgreSQL)")
        result.method = [
            f"The service alone, 2 workers, `GET /v1/items?limit={PAGE_SIZE}` (first page) and the same with the "
            "`cursor` of the row in the middle of the table (middle page), keep-alive.",
            "Each size has its own database, filled once with SQL (`generate_series`, ids that sort like UUIDv7) "
            "and reused while its row count is right, and its own server; both servers stay up (the one not "
            "measured idles) and the two sizes alternate in every round.",
        ]
        databases = {rows: BenchDatabase(database_url("postgres", options, f"rows_{rows}")) for rows in sizes}
        try:
            for rows, database in databases.items():
                _prepare(database, rows)
            samples, paths = _measure(context, databases)
        finally:
            for database in databases.values():
                database.dispose()
        _report(result, options, samples, paths)
        return result


def _prepare(database: BenchDatabase, rows: int) -> None:
    database.prepare()
    if database.count() == rows:
        return
    print(f"  filling a table with {rows:,} rows ...", flush=True)
    elapsed = database.reset(rows)
    print(f"  filled {rows:,} rows in {elapsed:.1f}s", flush=True)


def _measure(
    context: BenchContext, databases: dict[int, BenchDatabase]
) -> tuple[dict[tuple[int, str], list[Sample]], dict[int, dict[str, str]]]:
    """Both sizes are served at once, each by its own idle-until-measured server, so rounds alternate quickly."""
    options = context.options
    samples: dict[tuple[int, str], list[Sample]] = defaultdict(list)
    paths: dict[int, dict[str, str]] = {}
    servers: dict[int, RunningServer] = {}
    with ExitStack() as stack:
        for index, (rows, database) in enumerate(databases.items()):
            environment = server_environment(database.url, options)
            servers[rows] = stack.enter_context(
                serving(ours(), options.base_port + index, environment, options.workers)
            )
            paths[rows] = _page_paths(servers[rows], database, rows)
            run_wrk(context.wrk, servers[rows].base_url, _plan(options, paths[rows]["first"], options.warmup_s))
        sizes = list(databases)
        for round_index in range(options.list_rounds):
            for offset in range(len(sizes)):
                rows = sizes[(round_index + offset) % len(sizes)]
                server = servers[rows]
                for page, path in paths[rows].items():
                    with WorkerSplitProbe(server.worker_pids, server.port) as probe:
                        load = run_wrk(context.wrk, server.base_url, _plan(options, path, options.duration_s))
                    samples[(rows, page)].append(Sample(round_index, load, probe.split))
                    print(
                        f"  [list] round {round_index + 1}/{options.list_rounds} {rows:>9,} rows {page:6} "
                        f"{load.requests_per_s:8.0f} req/s  p50 {load.p50_ms:6.2f} ms  p99 {load.p99_ms:7.2f} ms  "
                        f"failed {load.failed}",
                        flush=True,
                    )
    return samples, paths


def _plan(options: BenchOptions, path: str, duration_s: int) -> LoadPlan:
    return LoadPlan("fixed_get.lua", path, duration_s, options.connections, options.threads)


def _page_paths(server: RunningServer, database: BenchDatabase, rows: int) -> dict[str, str]:
    first = f"/v1/items?limit={PAGE_SIZE}"
    paths = {"first": first}
    cursor = _cursor_after(server, database, first, rows // 2)
    if cursor is not None:
        paths["middle"] = f"{first}&cursor={cursor}"
    return paths


def _cursor_after(server: RunningServer, database: BenchDatabase, first: str, position: int) -> str | None:
    """A cursor that starts a page after row `position`, derived from a real one and checked.

    The cursor is opaque, so this swaps the last id of the first page for the id at `position`
    wherever it appears in the decoded cursor; it gives up (None) if the cursor does not carry it.
    """
    page = _get_json(server, first)
    if not page.get("next_cursor") or not page.get("items"):
        return None
    last_id = page["items"][-1]["id"]
    try:
        decoded = base64.urlsafe_b64decode(page["next_cursor"] + "=" * (-len(page["next_cursor"]) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if last_id not in decoded:
        return None
    swapped = decoded.replace(last_id, database.id_at(position))
    cursor = base64.urlsafe_b64encode(swapped.encode()).decode().rstrip("=")
    middle = _get_json(server, f"{first}&cursor={cursor}")
    expected = database.id_at(position + 1)
    return cursor if middle.get("items") and middle["items"][0]["id"] == expected else None


def _get_json(server: RunningServer, path: str) -> dict[str, Any]:
    for _attempt in range(3):
        try:
            with urllib.request.urlopen(server.base_url + path, timeout=30) as response:
                return dict(json.load(response))
        except OSError:
            time.sleep(0.5)
    return {}


def _report(
    result: ScenarioResult,
    options: BenchOptions,
    samples: dict[tuple[int, str], list[Sample]],
    paths: dict[int, dict[str, str]],
) -> None:
    small, large = options.list_small_rows, options.list_large_rows
    summaries = {key: summarise(values) for key, values in samples.items()}
    pages = [page for page in ("first", "middle") if (small, page) in summaries and (large, page) in summaries]
    rows = []
    for page in pages:
        at_small, at_large = summaries[(small, page)], summaries[(large, page)]
        latency_ratio = ratio(at_large.p50_ms, at_small.p50_ms)
        throughput_ratio = ratio(at_small.requests_per_s, at_large.requests_per_s)
        rows.append((
            page,
            f"{at_small.requests_per_s:,.0f}", f"{at_small.p50_ms:.2f}", f"{at_small.p99_ms:.2f}",
            f"{at_large.requests_per_s:,.0f}", f"{at_large.p50_ms:.2f}", f"{at_large.p99_ms:.2f}",
            f"{latency_ratio:.2f}x", f"{throughput_ratio:.2f}x",
        ))  # fmt: skip
        result.checks.append(
            TargetCheck(
                f"List page ({page}) p50 at {large:,} rows ≤ {TARGET_RATIO}x at {small:,}",
                f"{latency_ratio:.2f}x",
                latency_ratio <= TARGET_RATIO,
            )
        )
    result.tables.append(
        Table(
            (
                "Page",
                f"req/s @{small:,}",
                "p50 ms",
                "p99 ms",
                f"req/s @{large:,}",
                "p50 ms",
                "p99 ms",
                "p50 ratio",
                "time ratio (req/s)",
            ),
            tuple(rows),
        )
    )
    result.charts.append(
        Chart(
            "List page p50 latency, ms (median)",
            "p50 latency, ms",
            tuple(pages),
            {f"{size:,} rows": tuple(summaries[(size, page)].p50_ms for page in pages) for size in (small, large)},
        )
    )
    if "middle" not in pages:
        result.notes.append("The middle page was not measured: no cursor could be derived from the first page's.")
    result.data = {
        "paths": {str(size): value for size, value in paths.items()},
        "summaries": {f"{size}/{page}": summary.to_json() for (size, page), summary in summaries.items()},
        "samples": {
            f"{size}/{page}": [sample.to_json() for sample in values] for (size, page), values in samples.items()
        },
    }
