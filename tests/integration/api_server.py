"""The real API under gunicorn, as production runs it, on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import TracebackType

import httpx

from settings import PROJECT_ROOT, Settings
from tests.tokens import bearer
from tests.waiting import wait_until

STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ApiServer:
    """`gunicorn -c gunicorn.conf.py` with WEB_CONCURRENCY workers; a context manager that stops it by PID."""

    def __init__(self, settings: Settings, log_path: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.headers = bearer(settings)  # made first: the workers read the dev secret it creates
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "AMQP_URL": settings.amqp_url,
            "AUTH_DEV_SECRET_FILE": str(settings.auth_dev_secret_file),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        self._workers = workers
        self._log = log_path.open("ab")
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        self._master = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=self._log)

    def __enter__(self) -> ApiServer:
        def started() -> bool:
            assert self._master.poll() is None, "gunicorn exited during startup"
            return len(self.worker_pids()) >= self._workers and self._answers()

        try:
            wait_until(started, f"gunicorn and its {self._workers} workers", STARTUP_TIMEOUT_S, interval_s=0.1)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._master.poll() is None:
            self._master.send_signal(signal.SIGTERM)
            try:
                self._master.wait(STARTUP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._master.kill()
                self._master.wait(5)
        self._log.close()

    def worker_pids(self) -> list[int]:
        """The workers are the master's children."""
        children = Path(f"/proc/{self._master.pid}/task/{self._master.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            return []

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/health/live", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
