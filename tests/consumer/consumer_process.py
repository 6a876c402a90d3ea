"""A consumer as a real process, to be killed or signalled the way production does it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from examples.catalog_projection.catalog_settings import CatalogSettings
from items_events.config import ConsumerConfig
from settings import PROJECT_ROOT
from tests.consumer.counting_consumer import config_as_json

EXIT_TIMEOUT_S = 20


class ConsumerProcess:
    """`python -m <module> <args>` with extra environment; killed on leaving the `with` block if alive."""

    def __init__(self, module: str, args: Sequence[str], env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                cwd=PROJECT_ROOT,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def __enter__(self) -> ConsumerProcess:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._process.poll() is None:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, as after a crash or an OOM kill."""
        os.kill(self._process.pid, signal.SIGKILL)
        self._process.wait(EXIT_TIMEOUT_S)

    def terminate(self) -> int:
        """SIGTERM, as an orchestrator stops a container; returns the exit code."""
        os.kill(self._process.pid, signal.SIGTERM)
        return self._process.wait(EXIT_TIMEOUT_S)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def counting_process(
    config: ConsumerConfig, database_url: str, log_path: Path, delay_s: float = 0.0, ack_delay_s: float = 0.0
) -> ConsumerProcess:
    """The deliberately non-idempotent counting consumer."""
    env = {
        "COUNTING_CONFIG": config_as_json(config),
        "COUNTING_DATABASE_URL": database_url,
        "COUNTING_DELAY_S": str(delay_s),
        "COUNTING_ACK_DELAY_S": str(ack_delay_s),
    }
    return ConsumerProcess("tests.consumer.counting_consumer", (), env, log_path)


def catalog_process(settings: CatalogSettings, log_path: Path) -> ConsumerProcess:
    """`python -m examples.catalog_projection run`, configured through its environment."""
    env = {f"CATALOG_{name.upper()}": str(value) for name, value in settings.model_dump().items()}
    return ConsumerProcess("examples.catalog_projection", ("run",), env, log_path)
