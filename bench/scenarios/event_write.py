"""P2: `POST /v1/items` with its event, the outbox (service + relay) against publishing inside the request."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from adapters.outbox_backlog import OutboxBacklog
from bench.bench_exchange import BenchExchange
from bench.contenders import EVENTS_DATABASE, check_as_shipped, events_environment, naive_publish_peer, ours
from bench.database import BenchDatabase, database_url
from bench.load import LoadPlan, run_wrk
from bench.options import BenchOptions
from bench.process_budget import (
    CpuProbe,
    ProcessGroup,
    budget_sample,
    fixed,
    idle_rates,
    is_local,
    listening_process,
    postgres_backends,
    postgres_background,
)
from bench.relay_process import relay_running
from bench.scenarios.base import BenchContext, ScenarioResult
from bench.scenarios.event_write_report import (
    BUDGET_GROUPS,
    DRAIN_TIMEOUT_S,
    RELAY,
    SampleKey,
    WriteSample,
    method,
    report,
)
from bench.scenarios.item_endpoints import MODES, Mode
from bench.servers import RunningServer, ServerSpec, serving
from bench.stats import Sample
from bench.worker_split import WorkerSplitProbe
from items_events.broker_addresses import address_of, broker_parameters


class EventWriteScenario:
    """Interleaved rounds: the service with its relay process, then the naive peer (or the other way round)."""

    name = "event-write"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        servers = (ours(), naive_publish_peer(options))
        result = ScenarioResult(self.name, "P2: POST with its event, outbox + relay against a publish in the request")
        result.method = method(options, servers)
        database = BenchDatabase(database_url("postgres", options, EVENTS_DATABASE))
        try:
            database.prepare()
            with BenchExchange(options.amqp_url, "write", with_queue=True) as exchange:
                samples = _measure(context, database, exchange, servers)
        finally:
            database.dispose()
        report(result, servers, samples)
        return result


@dataclass(frozen=True)
class Turn:
    """One contender up: its server, its relay (0 for none), and its processes' idle CPU just before the load."""

    server: RunningServer
    relay_pid: int
    database: BenchDatabase
    groups: list[ProcessGroup]
    idle: dict[str, float]


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
                server = stack.enter_context(serving(spec, options.base_port + position, environment, options.workers))
                check_as_shipped(server)
                run_wrk(context.wrk, server.base_url, _plan(options, MODES[0], options.warmup_s))
                if relay_pid:
                    _wait_for_drain(database)  # the idle window must not see the warm-up's events go out
                groups = _process_groups(options, server, relay_pid, database)
                turn = Turn(server, relay_pid, database, groups, idle_rates(groups, options.idle_window_s))
                for mode in MODES:
                    measured = _run(context, turn, mode, round_index)
                    samples[(spec.name, mode.key)].append(measured)
                    print(
                        f"  round {round_index + 1}/{options.rounds} {spec.name:6} {mode.key:10} "
                        f"{measured.sample.load.requests_per_s:8.0f} req/s  p50 {measured.sample.load.p50_ms:6.2f} ms  "
                        f"p99 {measured.sample.load.p99_ms:7.2f} ms  failed {measured.sample.load.failed}  "
                        f"CPU {measured.budget.total_ms_per_request():.2f} ms/POST",
                        flush=True,
                    )
    return samples


def _run(context: BenchContext, turn: Turn, mode: Mode, round_index: int) -> WriteSample:
    """One load run, the CPU of every process of the pipeline measured until the relay has caught up."""
    options, server = context.options, turn.server
    with CpuProbe(turn.groups) as budget:
        with WorkerSplitProbe(server.worker_pids, server.port) as probe:
            load = run_wrk(context.wrk, server.base_url, _plan(options, mode, options.duration_s))
        pending = OutboxBacklog(turn.database.engine).measure()[0] if turn.relay_pid else 0
        if turn.relay_pid:
            _wait_for_drain(turn.database)
    sample = Sample(round_index, load, probe.split)
    return WriteSample(sample, budget.cpu_s.get(RELAY, 0.0), pending, budget_sample(budget, turn.idle, load.requests))


def _process_groups(
    options: BenchOptions, server: RunningServer, relay_pid: int, database: BenchDatabase
) -> list[ProcessGroup]:
    """Every process one POST costs CPU in, as far as this machine can see them."""
    labels = dict(BUDGET_GROUPS)
    groups = [ProcessGroup("api", labels["api"], fixed(server.worker_pids))]
    if relay_pid:
        groups.append(ProcessGroup(RELAY, labels[RELAY], fixed((relay_pid,))))
    if is_local(make_url(database.url).host):
        groups += [
            ProcessGroup("postgres", labels["postgres"], postgres_backends(database.engine)),
            ProcessGroup("postgres-shared", labels["postgres-shared"], postgres_background(database.engine), True),
        ]
    ports = [port for host, port in map(address_of, broker_parameters(options.amqp_url)) if is_local(host)]
    if ports:
        groups.append(ProcessGroup("broker", labels["broker"], _listeners(ports), True))
    return groups


def _listeners(ports: list[int]) -> Callable[[], tuple[int, ...]]:
    finders = [listening_process(port) for port in ports]
    return lambda: tuple(sorted({pid for find in finders for pid in find()}))


def _wait_for_drain(database: BenchDatabase, timeout_s: float = DRAIN_TIMEOUT_S) -> None:
    backlog = OutboxBacklog(database.engine)
    deadline = time.monotonic() + timeout_s
    while backlog.measure()[0] and time.monotonic() < deadline:
        time.sleep(0.1)


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
