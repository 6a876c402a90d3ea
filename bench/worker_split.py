"""How a load run spread over a server's workers: CPU time and open connections per worker PID."""

from __future__ import annotations

import re
import subprocess
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any

from bench.servers import TICKS_PER_SECOND, cpu_ticks

_SOCKET_OWNER = re.compile(r"pid=(\d+)")


@dataclass(frozen=True)
class WorkerSplit:
    """Per worker (busiest first): share of the server's CPU time and mean open connections."""

    cpu_shares: tuple[float, ...]
    connections: tuple[float, ...]
    cpu_seconds: float = 0.0
    """CPU time the workers used during the run, all of them together."""

    @property
    def busiest_cpu_share(self) -> float:
        return self.cpu_shares[0] if self.cpu_shares else 0.0

    def describe(self) -> str:
        cpu = "/".join(f"{share * 100:.0f}" for share in self.cpu_shares)
        connections = "/".join(f"{count:.0f}" for count in self.connections)
        return f"CPU {cpu} %, conns {connections}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class WorkerSplitProbe:
    """Context manager around one load run: samples `ss` while it runs and CPU time at both ends."""

    def __init__(self, worker_pids: tuple[int, ...], port: int, interval_s: float = 1.0) -> None:
        self._workers = worker_pids
        self._port = port
        self._interval_s = interval_s
        self._samples: list[Counter[int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self._ticks_before: dict[int, int] = {}
        self.split = WorkerSplit((), ())

    def __enter__(self) -> WorkerSplitProbe:
        self._ticks_before = {pid: cpu_ticks(pid) for pid in self._workers}
        self._thread.start()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _error: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        used = {pid: max(cpu_ticks(pid) - before, 0) for pid, before in self._ticks_before.items()}
        total = sum(used.values()) or 1
        mean_connections = {
            pid: sum(sample[pid] for sample in self._samples) / max(len(self._samples), 1) for pid in self._workers
        }
        order = sorted(self._workers, key=lambda pid: used[pid], reverse=True)
        self.split = WorkerSplit(
            cpu_shares=tuple(used[pid] / total for pid in order),
            connections=tuple(mean_connections[pid] for pid in order),
            cpu_seconds=sum(used.values()) / TICKS_PER_SECOND,
        )

    def _sample_until_stopped(self) -> None:
        # The first sample waits one interval, so that wrk has opened its connections.
        while not self._stop.wait(self._interval_s):
            self._samples.append(self._established_by_pid())

    def _established_by_pid(self) -> Counter[int]:
        command = ["ss", "-Htnp", "state", "established", f"( sport = :{self._port} )"]
        try:
            output = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            return Counter()
        owners: Counter[int] = Counter()
        for line in output.splitlines():
            owners.update(int(pid) for pid in set(_SOCKET_OWNER.findall(line)) if int(pid) in self._workers)
        return owners
