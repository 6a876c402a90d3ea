"""A PostgreSQL server of the test's own: its own data directory and port, started and stopped by it.

The machine's shared server is never stopped; an outage test stops this one instead. initdb and
pg_ctl refuse to run as root, so they run as the `postgres` user in a directory it owns.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.live_server import free_port
from tests.servers import unavailable

SERVER_USER = "postgres"


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


class OwnPostgres:
    """pg_ctl over one data directory; `url` reaches its `postgres` database."""

    def __init__(self, bin_dir: Path, directory: Path, port: int) -> None:
        self._bin_dir = bin_dir
        self.data_dir = directory / "data"
        self.log_path = directory / "server.log"
        self.port = port
        self.url = f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self._bin_dir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data_dir), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
        data, log = str(self.data_dir), str(self.log_path)
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", data, "-l", log, "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.data_dir))

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """A running server on a free port in a new directory, stopped and removed afterwards."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL server binaries (initdb, pg_ctl)", "not installed")
    assert bin_dir is not None
    directory = Path(tempfile.mkdtemp(prefix="items-own-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_USER)
        os.chown(directory, account.pw_uid, account.pw_gid)
    server = OwnPostgres(bin_dir, directory, free_port())
    try:
        server.init()
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            server.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
