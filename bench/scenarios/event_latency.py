"""P5: from the 201 of a `POST /v1/items` to a consumer receiving its event, at half the maximum write rate."""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from adapters.outbox_backlog import OutboxBacklog
from bench.bench_exchange import BenchExchange
from bench.contenders import EVENTS_DATABASE, check_as_shipped, events_environment, ours
from bench.database import BenchDatabase, database_url
from bench.event_arrivals import EventArrivals
from bench.load import LoadPlan, LoadResult, run_wrk
from bench.open_loop import Exchange, post_at_rate
from bench.percentiles import percentile
from bench.relay_process import relay_running
from bench.scenarios.base import BenchContext, Chart, ScenarioResult, Table, TargetCheck
from bench.servers import TICKS_PER_SECOND, RunningServer, cpu_ticks, serving

LOAD_FRACTION = 0.5
P50_TARGET_MS = 5.0
P99_TARGET_MS = 25.0
RELAY_CPU_TARGET_US = 150.0
"""The relay's CPU per event at that rate, at most, while the latency targets hold."""
ARRIVAL_TIMEOUT_S = 30.0
LATE_SEND_S = 0.005
"""A send this far behind its schedule counts as late (the generator could not keep the rate)."""
GIL_SWITCH_S = 0.0005
"""While measuring, threads of this process hand over the GIL this fast (default 5 ms), so that the
consumer thread and the senders stamp their times without waiting for each other."""
QUANTILES = (("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("max", 1.0))


@dataclass(frozen=True)
class LatencyRun:
    """What one P5 measurement saw."""

    max_rate: LoadResult
    target_rate: float
    exchanges: list[Exchange]
    latencies_s: list[float]
    missing: int
    deliveries: int
    relay_cpu_s: float

    @property
    def created(self) -> list[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.item_id]

    @property
    def relay_cpu_per_event_us(self) -> float:
        """Relay CPU from the first open-loop send until the last event arrived, over the events created."""
        created = len(self.created)
        return 1e6 * self.relay_cpu_s / created if created else float("nan")

    @property
    def achieved_rate(self) -> float:
        """Requests per second actually sent, from the first send to the last."""
        sent = sorted(exchange.sent for exchange in self.exchanges)
        span = sent[-1] - sent[0] if len(sent) > 1 else 0.0
        return (len(sent) - 1) / span if span else float("nan")


class EventLatencyScenario:
    """The service and the relay process on PostgreSQL; a test consumer; open-loop POSTs."""

    name = "event-latency"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        result = ScenarioResult(self.name, "P5: event latency, from the 201 to a consumer (PostgreSQL)")
        result.method = _method(context)
        database = BenchDatabase(database_url("postgres", options, EVENTS_DATABASE))
        try:
            database.prepare()
            database.reset(options.seed_rows)
            with BenchExchange(options.amqp_url, "latency") as exchange:
                environment = events_environment(database.url, options, exchange.name)
                with (
                    EventArrivals(options.amqp_url, exchange.name) as arrivals,
                    relay_running(environment, "relay-latency") as relay_pid,
                    serving(ours(), options.base_port, environment, options.workers) as server,
                ):
                    run = _measure(context, server, database, arrivals, relay_pid)
        finally:
            database.dispose()
        _report(result, run)
        return result


def _measure(
    context: BenchContext, server: RunningServer, database: BenchDatabase, arrivals: EventArrivals, relay_pid: int
) -> LatencyRun:
    options = context.options
    check_as_shipped(server)
    # End to end before anything is timed: the relay leads, the consumer is bound, every hop is warm.
    warm = post_at_rate(server.base_url, 20, 1, 4)
    if arrivals.wait_for(_ids(warm), ARRIVAL_TIMEOUT_S):
        raise RuntimeError("warm-up events did not reach the test consumer; see bench/.work/logs/relay-latency.log")
    run_wrk(context.wrk, server.base_url, _closed_loop(context, options.warmup_s))
    max_rate = run_wrk(context.wrk, server.base_url, _closed_loop(context, 2 * options.duration_s))
    print(f"  closed loop: {max_rate.requests_per_s:.0f} req/s; open loop at {LOAD_FRACTION:.0%} of it", flush=True)
    _wait_for_relay(database)
    target_rate = max_rate.requests_per_s * LOAD_FRACTION
    relay_ticks = cpu_ticks(relay_pid)
    delivered_before = arrivals.deliveries  # the warm-up's and the closed loop's events
    with _fast_gil_handoff():
        exchanges = post_at_rate(server.base_url, target_rate, options.latency_duration_s, options.latency_threads)
        created = [exchange for exchange in exchanges if exchange.item_id]
        missing = arrivals.wait_for(_ids(created), ARRIVAL_TIMEOUT_S)
    relay_cpu_s = (cpu_ticks(relay_pid) - relay_ticks) / TICKS_PER_SECOND
    latencies = [
        received - exchange.arrived
        for exchange in created
        if (received := arrivals.arrived_at(exchange.item_id or "")) is not None
    ]
    deliveries = arrivals.deliveries - delivered_before
    run = LatencyRun(max_rate, target_rate, exchanges, latencies, missing, deliveries, relay_cpu_s)
    print(
        f"  {len(created)} created at {run.achieved_rate:.0f}/s; event latency p50 "
        f"{percentile(latencies, 0.5) * 1000:.2f} ms, p99 {percentile(latencies, 0.99) * 1000:.2f} ms, "
        f"{missing} missing",
        flush=True,
    )
    return run


def _closed_loop(context: BenchContext, duration_s: int) -> LoadPlan:
    options = context.options
    lua_options = {"sku_prefix": f"CL{secrets.token_hex(4).upper()}", "seed": str(secrets.randbelow(1_000_000))}
    return LoadPlan("post_item.lua", "/", duration_s, options.connections, options.threads, options=lua_options)


def _wait_for_relay(database: BenchDatabase, timeout_s: float = ARRIVAL_TIMEOUT_S) -> None:
    """Until the relay has published the closed-loop run's backlog, so the open loop starts from idle."""
    backlog = OutboxBacklog(database.engine)
    deadline = time.monotonic() + timeout_s
    while backlog.measure()[0] and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)


@contextmanager
def _fast_gil_handoff() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(GIL_SWITCH_S)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _ids(exchanges: Sequence[Exchange]) -> list[str]:
    return [exchange.item_id for exchange in exchanges if exchange.item_id]


def _method(context: BenchContext) -> list[str]:
    options = context.options
    return [
        f"The service (gunicorn, {options.workers} workers, AUTH_ENABLED=false) and the relay "
        "(`python -m entrypoints.relay`, its own process, woken by the outbox trigger's NOTIFY) on PostgreSQL, "
        "publishing to an exchange of the run's own; a test consumer on a thread of the harness "
        "(pika BlockingConnection, exclusive queue bound to `item.*`, auto-ack) stamps when each item's event "
        "first arrives, by `ce-subject`.",
        f"Maximum write rate: closed-loop wrk, `POST /v1/items`, {options.connections} keep-alive connections, "
        f"{2 * options.duration_s} s, with the relay and the consumer running.",
        f"Then open-loop POSTs at {LOAD_FRACTION:.0%} of that rate for {options.latency_duration_s} s: "
        f"{options.latency_threads} sender threads with keep-alive connections, request i due at start + i/rate. "
        "Event latency = the consumer's receive time minus the time the 201's status line and headers arrived, "
        "both `time.perf_counter()` (the system-wide monotonic clock) in the harness process. It can be "
        "negative: the relay is woken at commit, before the response has reached the client.",
        "Relay CPU per event: the relay process's user + system time (/proc/<pid>/stat) from the first open-loop "
        "send until the last event has arrived, over the items created.",
    ]


def _report(result: ScenarioResult, run: LatencyRun) -> None:
    created = run.created
    response_s = [exchange.response_s for exchange in created]
    late = sum(1 for exchange in run.exchanges if exchange.late_s > LATE_SEND_S)
    late_share = f"{late:,} ({_share(late, len(run.exchanges))})"
    result.tables.append(
        Table(
            ("Latency, ms", *(name for name, _ in QUANTILES), "mean"),
            (
                _quantile_row("201 → consumer receives the event", run.latencies_s),
                _quantile_row("POST response time (send → 201)", response_s),
            ),
        )
    )
    result.tables.append(
        Table(
            ("Load", "Value"),
            (
                ("maximum write rate (closed loop)", f"{run.max_rate.requests_per_s:,.0f} req/s"),
                ("open-loop rate: asked / achieved", f"{run.target_rate:,.0f} / {run.achieved_rate:,.0f} req/s"),
                ("POSTs sent / answered 201", f"{len(run.exchanges):,} / {len(created):,}"),
                (f"sends over {LATE_SEND_S * 1000:.0f} ms behind schedule", late_share),
                ("open-loop events received (duplicates included) / missing", f"{run.deliveries:,} / {run.missing:,}"),
                ("relay CPU per event", f"{run.relay_cpu_per_event_us:,.0f} µs"),
            ),
        )
    )
    p50_ms, p99_ms = (percentile(run.latencies_s, fraction) * 1000 for fraction in (0.5, 0.99))
    p50_met = p50_ms <= P50_TARGET_MS and not run.missing
    p99_met = p99_ms <= P99_TARGET_MS and not run.missing
    relay_us = run.relay_cpu_per_event_us
    result.checks += [
        TargetCheck(f"P5 event latency p50 ≤ {P50_TARGET_MS:.0f} ms (201 → consumer, half the max write rate)",
                    f"{p50_ms:.2f} ms", p50_met),
        TargetCheck(f"P5 event latency p99 ≤ {P99_TARGET_MS:.0f} ms (201 → consumer, half the max write rate)",
                    f"{p99_ms:.2f} ms", p99_met),
        TargetCheck(f"P5 relay CPU per event ≤ {RELAY_CPU_TARGET_US:.0f} µs at half the max write rate, "
                    "while p50 and p99 hold",
                    f"{relay_us:,.0f} µs (p50 {p50_ms:.2f} ms, p99 {p99_ms:.2f} ms)",
                    relay_us <= RELAY_CPU_TARGET_US and p50_met and p99_met),
    ]  # fmt: skip
    names = tuple(name for name, _ in QUANTILES[:-1])
    result.charts.append(
        Chart(
            "P5: event latency at half the max write rate, ms",
            "ms",
            names,
            {
                "201 → consumer": tuple(percentile(run.latencies_s, q) * 1000 for _, q in QUANTILES[:-1]),
                "POST response time": tuple(percentile(response_s, q) * 1000 for _, q in QUANTILES[:-1]),
            },
        )
    )
    result.data = _data(run, response_s)


def _quantile_row(label: str, values_s: Sequence[float]) -> tuple[str, ...]:
    cells = (f"{percentile(values_s, q) * 1000:.2f}" for _, q in QUANTILES)
    mean = sum(values_s) / len(values_s) * 1000 if values_s else float("nan")
    return (label, *cells, f"{mean:.2f}")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def _data(run: LatencyRun, response_s: Sequence[float]) -> dict[str, Any]:
    return {
        "max_rate": run.max_rate.to_json(),
        "target_rate_per_s": run.target_rate,
        "achieved_rate_per_s": run.achieved_rate,
        "sent": len(run.exchanges),
        "created": len(run.created),
        "missing": run.missing,
        "deliveries": run.deliveries,
        "relay_cpu_s": run.relay_cpu_s,
        "relay_cpu_per_event_us": run.relay_cpu_per_event_us,
        "latency_ms": {name: percentile(run.latencies_s, q) * 1000 for name, q in QUANTILES},
        "response_ms": {name: percentile(response_s, q) * 1000 for name, q in QUANTILES},
        "latencies_ms": [round(value * 1000, 3) for value in run.latencies_s],
    }
