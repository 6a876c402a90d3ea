"""Runs the outbox relay as the real `python -m entrypoints.relay` process, stopped by its PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from bench.paths import PROJECT_ROOT, WORK_DIR

STOP_TIMEOUT_S = 20


@contextmanager
def relay_running(environment: Mapping[str, str], name: str = "relay") -> Iterator[int]:
    """The relay for the duration of the block (its PID); SIGTERM on exit, SIGKILL if it lingers."""
    log_path = WORK_DIR / "logs" / f"{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.relay"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "LOG_LEVEL": "WARNING", "METRICS_PORT": "0", **environment},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)
