"""Runs the service under gunicorn, as production does, on a free local port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from settings import PROJECT_ROOT
from tests.waiting import wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(database_url: str, log_path: Path, workers: int = 2, **env: str) -> Iterator[str]:
    """Yield the base URL of a gunicorn serving the app; stop it by its PID afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "PUBLIC_BASE_URL": base_url,
        **env,
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    with running(command, environment, log_path, base_url):
        yield base_url


@contextmanager
def running(
    command: list[str], environment: dict[str, str], log_path: Path, base_url: str, own_session: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command`, wait until `base_url` is ready, and stop it with SIGTERM (SIGKILL after 60 s)."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=log, start_new_session=own_session
        )
        try:
            wait_until_ready(base_url, process)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                if own_session:
                    os.killpg(process.pid, signal.SIGKILL)  # its session: every process it started
                else:
                    process.kill()
                process.wait()


def wait_until_ready(base_url: str, server: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    def ready() -> bool:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            return httpx.get(f"{base_url}/health/ready", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(ready, f"{base_url} to become ready", timeout_s, interval_s=0.1)
