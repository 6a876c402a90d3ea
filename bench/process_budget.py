"""The CPU one request costs, process by process: API workers, relay, PostgreSQL and the broker, from /proc.

Each group names its PIDs afresh at both ends of a measurement, so a database backend
opened meanwhile counts from zero. Groups marked shared (PostgreSQL's background
processes, the whole broker) also serve whatever else runs on the machine: their CPU over
an idle window just before the load is taken as what others cost meanwhile and subtracted.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, text

from bench.database import HARNESS_APPLICATION_NAME
from bench.servers import TICKS_PER_SECOND, cpu_ticks

_SOCKET_OWNER = re.compile(r"pid=(\d+)")
_BACKENDS = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
    "AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM :harness"
)
_BACKGROUND = text("SELECT pid FROM pg_stat_activity WHERE backend_type <> 'client backend'")


@dataclass(frozen=True)
class ProcessGroup:
    """Processes counted together, found by `pids()` whenever the probe looks."""

    key: str
    label: str
    pids: Callable[[], Sequence[int]]
    shared: bool = False


@dataclass(frozen=True)
class GroupCpu:
    """CPU seconds of one group over a measured window, and its idle rate just before."""

    busy_s: float
    idle_per_s: float = 0.0

    def net_s(self, window_s: float) -> float:
        """What the load cost: the busy CPU less what the idle rate would have used anyway."""
        return max(self.busy_s - self.idle_per_s * window_s, 0.0)


@dataclass
class BudgetSample:
    """One measured window: CPU by group, its length and the requests it served."""

    window_s: float
    requests: int
    groups: dict[str, GroupCpu] = field(default_factory=dict)

    def ms_per_request(self, key: str) -> float:
        cpu = self.groups.get(key)
        if cpu is None or not self.requests:
            return float("nan")
        return 1000 * cpu.net_s(self.window_s) / self.requests

    def total_ms_per_request(self) -> float:
        return sum(self.ms_per_request(key) for key in self.groups)


class CpuProbe:
    """Context manager: each group's CPU seconds over the block (`cpu_s` once it is left)."""

    def __init__(self, groups: Sequence[ProcessGroup]) -> None:
        self._groups = groups
        self._before: dict[str, dict[int, int]] = {}
        self._started = 0.0
        self.window_s = 0.0
        self.cpu_s: dict[str, float] = {}

    def __enter__(self) -> CpuProbe:
        self._before = {group.key: _ticks(group) for group in self._groups}
        self._started = time.monotonic()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _error: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.window_s = time.monotonic() - self._started
        after = {group.key: _ticks(group) for group in self._groups}
        self.cpu_s = {key: used_s(self._before[key], ticks) for key, ticks in after.items()}


def used_s(before: Mapping[int, int], after: Mapping[int, int]) -> float:
    """CPU seconds between two readings; a PID first seen at the end started meanwhile and counts in full."""
    ticks = sum(max(now - before.get(pid, 0), 0) for pid, now in after.items())
    return ticks / TICKS_PER_SECOND


def idle_rates(groups: Sequence[ProcessGroup], window_s: float) -> dict[str, float]:
    """CPU seconds per second each shared group uses with no load of ours (0 for the others)."""
    shared = [group for group in groups if group.shared]
    with CpuProbe(shared) as probe:
        time.sleep(window_s)
    return {group.key: probe.cpu_s.get(group.key, 0.0) / probe.window_s if group.shared else 0.0 for group in groups}


def budget_sample(probe: CpuProbe, idle: Mapping[str, float], requests: int) -> BudgetSample:
    groups = {key: GroupCpu(busy_s, idle.get(key, 0.0)) for key, busy_s in probe.cpu_s.items()}
    return BudgetSample(probe.window_s, requests, groups)


def median_ms_per_request(samples: Sequence[BudgetSample], key: str) -> float:
    values = [sample.ms_per_request(key) for sample in samples if key in sample.groups]
    return statistics.median(values) if values else float("nan")


def postgres_backends(engine: Engine) -> Callable[[], tuple[int, ...]]:
    """The backends of this engine's database: the connections of the servers and relay under test."""

    def pids() -> tuple[int, ...]:
        with engine.connect() as connection:
            found = connection.execute(_BACKENDS, {"harness": HARNESS_APPLICATION_NAME}).scalars()
            return tuple(int(pid) for pid in found)

    return pids


def postgres_background(engine: Engine) -> Callable[[], tuple[int, ...]]:
    """The postmaster and its background processes (WAL writer, checkpointer...), which every database shares."""

    def pids() -> tuple[int, ...]:
        with engine.connect() as connection:
            background = [int(pid) for pid in connection.execute(_BACKGROUND).scalars()]
        parents = {parent_pid(pid) for pid in background} - {0, 1}
        return tuple(sorted({*background, *parents}))

    return pids


def listening_process(port: int) -> Callable[[], tuple[int, ...]]:
    """The process that listens on this local TCP port (the broker's beam.smp), if this user may see it."""

    def pids() -> tuple[int, ...]:
        command = ["ss", "-Htlnp", "state", "listening", f"( sport = :{port} )"]
        try:
            output = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ()
        return tuple(sorted({int(pid) for pid in _SOCKET_OWNER.findall(output)}))

    return pids


def is_local(host: str | None) -> bool:
    """Only a server on this machine has PIDs this harness can read (a socket path counts as local)."""
    return host in (None, "", "127.0.0.1", "localhost", "::1") or (host or "").startswith("/")


def fixed(pids: Sequence[int]) -> Callable[[], tuple[int, ...]]:
    """PIDs known up front: a server's workers, the relay."""
    frozen = tuple(pids)
    return lambda: frozen


def parent_pid(pid: int) -> int:
    return proc_status_field(pid, "PPid")


def proc_status_field(pid: int, name: str) -> int:
    """An integer field of /proc/<pid>/status (`VmRSS` in kB, `PPid`...); 0 once the process is gone."""
    try:
        return parse_status_field(Path(f"/proc/{pid}/status").read_text(), name)
    except OSError:
        return 0


def parse_status_field(status: str, name: str) -> int:
    """The number of a `Name:  value [kB]` line of a /proc status file; 0 if the line is missing."""
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return int(value.split()[0])
    return 0


def _ticks(group: ProcessGroup) -> dict[int, int]:
    return {pid: cpu_ticks(pid) for pid in group.pids()}
