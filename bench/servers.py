"""Starts one gunicorn server, waits until every worker is ready, and stops it by its PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.paths import PROJECT_ROOT, WORK_DIR

WORKERS = 2
"""Worker processes of every contender unless `--workers` says otherwise: the same count for all."""
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
PROBE_PATH = "/v1/items/00000000-0000-7000-8000-000000000000"
"""Answers 404 from every contender once the app is loaded."""


@dataclass(frozen=True)
class ServerSpec:
    """How to launch one contender under gunicorn."""

    name: str
    label: str
    app: str
    """The app gunicorn loads; empty for the one its config file names (`wsgi_app`), as shipped."""
    config: str
    worker_args: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    sends_bearer_token: bool = False
    python: str = sys.executable
    """The interpreter that runs gunicorn, and so the virtualenv it imports from."""


@dataclass(frozen=True)
class RunningServer:
    """A started gunicorn master and the workers it forked."""

    spec: ServerSpec
    port: int
    pid: int
    worker_pids: tuple[int, ...]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class ServerFailed(RuntimeError):
    """The server did not come up; the message ends with the tail of its log."""


@contextmanager
def serving(
    spec: ServerSpec,
    port: int,
    environment: Mapping[str, str],
    workers: int = WORKERS,
    startup_timeout_s: float = 60,
) -> Iterator[RunningServer]:
    """Run the server for the duration of the block; it is always stopped, by its PID, on exit.

    The port is the one asked for if it is free, else one the kernel picks, so that a server
    someone else runs on the machine does not break the run.
    """
    port = port if _is_free(port) else _any_free_port()
    metrics_dir = spec.env.get("PROMETHEUS_MULTIPROC_DIR")
    if metrics_dir:
        # gunicorn.conf.py empties it in on_starting, but metrics are created on import, before that.
        Path(metrics_dir).mkdir(parents=True, exist_ok=True)
    log_path = WORK_DIR / "logs" / f"{spec.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        spec.python, "-m", "gunicorn",
        f"--config={spec.config}",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        *spec.worker_args,
        *([spec.app] if spec.app else []),
    ]  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **environment, **spec.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        pids = _wait_until_ready(process, port, workers, startup_timeout_s, log_path)
        yield RunningServer(spec, port, process.pid, pids)
    finally:
        _stop(process)


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _any_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_pids(master_pid: int) -> tuple[int, ...]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        return tuple(int(pid) for pid in children.read_text().split())
    except OSError:
        return ()


def cpu_ticks(pid: int) -> int:
    """User plus system CPU time of a process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _wait_until_ready(
    process: subprocess.Popen[bytes], port: int, count: int, timeout_s: float, log_path: Path
) -> tuple[int, ...]:
    """Ready means: the app answers, every worker exists, and none is still busy booting."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"gunicorn exited with {process.returncode}:\n{_tail(log_path)}")
        workers = worker_pids(process.pid)
        if len(workers) == count and _answers(port) and _settled(workers):
            return workers
        time.sleep(0.2)
    raise ServerFailed(f"not ready within {timeout_s:.0f}s:\n{_tail(log_path)}")


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{PROBE_PATH}", timeout=2):
            return True
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (OSError, urllib.error.URLError):
        return False


def _settled(workers: tuple[int, ...], interval_s: float = 0.3) -> bool:
    """Booting workers burn CPU; idle ones do not. Connections made earlier would all land on one."""
    before = [cpu_ticks(pid) for pid in workers]
    time.sleep(interval_s)
    return [cpu_ticks(pid) for pid in workers] == before


def _stop(process: subprocess.Popen[bytes], grace_s: float = 15) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    _reap_group(process.pid)


def _reap_group(pgid: int) -> None:
    """Workers share the master's process group; kill any that outlived it."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
