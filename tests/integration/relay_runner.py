"""Runs the relay for a test: in-process on a thread, or as the real `python -m entrypoints.relay`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine, text

from relay.composition import RelayService, build_relay
from relay.postgres_leadership import APPLICATION_NAME_PREFIX
from relay.relay_options import RelayOptions
from relay.topology import Topology
from settings import PROJECT_ROOT, Settings
from tests.background import in_background
from tests.integration.outbox_writes import OutboxWrites
from tests.waiting import wait_until

STOP_TIMEOUT_S = 20


@contextmanager
def relay_thread(
    settings: Settings, options: RelayOptions | None = None, topology: Topology | None = None
) -> Iterator[RelayService]:
    """A relay running on a thread of this process; stopped, and checked stopped, on exit."""
    with in_background(build_relay(settings, options, topology), "relay") as service:
        yield service


class RelayProcess:
    """`python -m entrypoints.relay` with its settings in the environment and its log in a file."""

    started: ClassVar[list[RelayProcess]] = []
    """Every process started, so that a failing test cannot leave one running (see `kill_leftovers`)."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "AMQP_URL": settings.amqp_url,
            "EVENTS_EXCHANGE": settings.events_exchange,
            "RELAY_BATCH_SIZE": str(settings.relay_batch_size),
            "RELAY_MAX_IN_FLIGHT": str(settings.relay_max_in_flight),
        }
        self.log_path = log_path
        with log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "entrypoints.relay"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log
            )
        RelayProcess.started.append(self)

    @classmethod
    def kill_leftovers(cls) -> None:
        while cls.started:
            process = cls.started.pop()
            if process.alive():
                process.kill()

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, like a crash or an OOM kill."""
        self._process.send_signal(signal.SIGKILL)
        self._process.wait(STOP_TIMEOUT_S)

    def terminate(self) -> int:
        """SIGTERM, the way an orchestrator stops it; returns the exit code."""
        if self.alive():
            self._process.send_signal(signal.SIGTERM)
        try:
            return self._process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            raise


def wait_for_progress(writes: OutboxWrites, relay: RelayProcess, rows: int, timeout_s: float = 30) -> None:
    """Until `rows` more outbox rows are marked published than now (or none is left pending)."""
    target = min(writes.published() + writes.pending(), writes.published() + rows)

    def progressed() -> bool:
        assert relay.alive(), f"the relay exited; see {relay.log_path}"
        return writes.published() >= target

    wait_until(progressed, f"{rows} rows published; see {relay.log_path}", timeout_s, interval_s=0.005)


def leader_pid(engine: Engine) -> int | None:
    """The pid of the relay holding the PostgreSQL advisory lock, from its `application_name`."""
    query = text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE :prefix "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with engine.connect() as connection:
        names = connection.execute(query, {"prefix": APPLICATION_NAME_PREFIX + "%"}).scalars().all()
    assert len(names) <= 1, f"more than one relay holds the lock: {names}"
    return int(names[0].removeprefix(APPLICATION_NAME_PREFIX)) if names else None
