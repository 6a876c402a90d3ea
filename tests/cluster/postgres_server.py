"""One PostgreSQL server of a test's own: a data directory, a free port, started and stopped by PID.

`initdb`, `pg_ctl` and `postgres` refuse to run as root, so under root they run as the
`postgres` user, in a directory it owns; any other user runs them as itself.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.cluster.polling import poll
from tests.cluster.process_group import ProcessGroup

SERVER_USER = "postgres"
START_TIMEOUT_S = 60.0


def postgres_binaries() -> Path | None:
    """The directory of `initdb`, `pg_ctl` and `postgres`: on PATH, or Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent  # a symlink on PATH may stand for initdb alone
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parent.parent.name))
    return versions[-1].parent if versions else None


def run_as() -> str | None:
    """The user the servers run as: `postgres` under root (which PostgreSQL refuses), else nobody else."""
    return SERVER_USER if os.geteuid() == 0 else None


def owned_scratch_directory(prefix: str) -> Path:
    """A new directory that the servers' user owns and may write to, and nobody else can read."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    user = run_as()
    if user is not None:
        record = pwd.getpwnam(user)
        os.chown(directory, record.pw_uid, record.pw_gid)
    return directory


class PostgresServer:
    """A data directory and the `postgres` process serving it on `port`, with its own socket directory."""

    def __init__(self, name: str, data: Path, port: int, binaries: Path) -> None:
        self.name = name
        self.data = data
        self.port = port
        self._binaries = binaries
        self._process: ProcessGroup | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def conninfo(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database} connect_timeout=5"

    def run_tool(self, tool: str, *arguments: str, timeout_s: float = START_TIMEOUT_S) -> str:
        """A PostgreSQL program (initdb, pg_ctl, pg_basebackup...) as the servers' user; its output."""
        done = subprocess.run(
            [str(self._binaries / tool), *arguments],
            user=run_as(),
            cwd=self.data.parent,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(arguments)} failed ({done.returncode}): {done.stderr}")
        return done.stdout

    def start(self, *settings: str) -> None:
        """Run `postgres` in the foreground of a session of its own, with extra `-c name=value` settings."""
        options = [f"port={self.port}", "listen_addresses=127.0.0.1", f"unix_socket_directories={self.data.parent}"]
        command = [str(self._binaries / "postgres"), "-D", str(self.data)]
        for option in [*options, *settings]:
            command += ["-c", option]
        with (self.data.parent / f"{self.name}.log").open("ab") as output:
            self._process = ProcessGroup.start(command, dict(os.environ), output, user=run_as())
        for attempt in poll(START_TIMEOUT_S, psycopg.OperationalError, every_s=0.1):
            with attempt:
                if not self._process.alive():
                    raise RuntimeError(f"{self.name} exited at start; see {self.data.parent / self.name}.log")
                psycopg.connect(self.conninfo()).close()

    def query(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """Rows of one statement, in autocommit; an empty list for statements that return none."""
        with psycopg.connect(self.conninfo(database), autocommit=True) as connection:
            cursor = connection.execute(sql.encode())
            return cursor.fetchall() if cursor.description else []

    def stop_immediately(self) -> None:
        """`pg_ctl stop -m immediate`: every backend quits at once, without a checkpoint, like a crash."""
        self.run_tool("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        if self._process is not None:
            self._process.wait_and_reap()

    def terminate(self) -> None:
        """Teardown, whatever state the test left the server in; nothing of it is left running.

        The postmaster's children each start a session of their own, so killing its process
        group would orphan them: an immediate stop has the postmaster end them first.
        """
        if self._process is None:
            return
        if self._process.alive():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop_immediately()
        self._process.kill()
