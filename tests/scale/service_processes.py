"""Several API servers and several relays on one database, started together and stopped by PID."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from settings import Settings
from tests.integration.api_server import ApiServer
from tests.integration.relay_runner import RelayProcess


@contextmanager
def api_servers(settings: Settings, log_dir: Path, count: int, workers: int) -> Iterator[list[ApiServer]]:
    """`count` gunicorn masters sharing the database and the signing secret, booted in parallel."""
    with ExitStack() as stack:
        servers = []
        for number in range(count):
            server = ApiServer(settings, log_dir / f"api-{number}.log", workers)
            stack.push(server)  # stopped on the way out even if another one fails to boot
            servers.append(server)
        for server in servers:
            server.__enter__()
        yield servers


@contextmanager
def relay_processes(settings: Settings, log_dir: Path, count: int) -> Iterator[list[RelayProcess]]:
    """`count` relays on one outbox; those still alive at the end must stop cleanly on SIGTERM."""
    relays: list[RelayProcess] = []
    try:
        for number in range(count):
            relays.append(RelayProcess(settings, log_dir / f"relay-{number}.log"))
        yield relays
    finally:
        exit_codes = [relay.terminate() for relay in relays if relay.alive()]
    assert exit_codes == [0] * len(exit_codes), f"a relay did not stop cleanly: {exit_codes}"
