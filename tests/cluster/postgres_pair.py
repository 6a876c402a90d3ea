"""A PostgreSQL primary and its streaming standby, of a test's own: `initdb`, then `pg_basebackup -R`.

With `synchronous=True` the primary waits for the standby's flush before acknowledging a
commit, so a write the client saw committed survives losing the primary. The standby can
only be required once it streams (before that, commits would hang), and once promoted it
must no longer wait for a standby of its own.
"""

from __future__ import annotations

import shutil
import time

from tests.cluster.free_ports import free_ports
from tests.cluster.polling import poll
from tests.cluster.postgres_server import PostgresServer, owned_scratch_directory, postgres_binaries
from tests.cluster.started_servers import StartedServers

STANDBY_NAME = "items-standby"
REPLICATION_TIMEOUT_S = 60.0
# Small and quick: a scratch server for one test, not a tuned one.
SERVER_SETTINGS = ("shared_buffers=32MB", "max_connections=60", "wal_keep_size=64MB", "log_min_messages=warning")


class StreamingPair(StartedServers):
    """`primary` and `standby` on free ports; a context manager that deletes everything on exit."""

    def __init__(self, synchronous: bool = False, database: str = "items") -> None:
        binaries = postgres_binaries()
        if binaries is None:
            raise FileNotFoundError("PostgreSQL's server programs (initdb, pg_ctl, postgres) are not installed")
        self.synchronous = synchronous
        self.database = database
        self.directory = owned_scratch_directory("items-pg-pair-")
        primary_port, standby_port = free_ports(2)
        self.primary = PostgresServer("primary", self.directory / "primary", primary_port, binaries)
        self.standby = PostgresServer("standby", self.directory / "standby", standby_port, binaries)
        self.promoted_in_s: float | None = None

    def multi_host_url(self, database: str | None = None, lists: bool = False) -> str:
        """One URL for both servers; libpq picks whichever accepts writes, at every new connection.

        SQLAlchemy 2 with psycopg 3 passes on `host=a:p&host=b:q` and, with `lists`,
        `host=a,b&port=p,q`; `host=a:p,b:q` fails with "failed to resolve host".
        """
        servers = (self.primary, self.standby)
        if lists:
            hosts = f"host={','.join('127.0.0.1' for _ in servers)}&port={','.join(str(s.port) for s in servers)}"
        else:
            hosts = "&".join(f"host=127.0.0.1:{server.port}" for server in servers)
        return f"postgresql+psycopg://postgres@/{database or self.database}?{hosts}&target_session_attrs=read-write"

    def replication_state(self) -> tuple[str, str] | None:
        """The standby's (state, sync_state) in the primary's pg_stat_replication, if it is connected."""
        rows = self.primary.query(
            f"SELECT state, sync_state FROM pg_stat_replication WHERE application_name = '{STANDBY_NAME}'"
        )
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    def stop_primary_immediately(self) -> None:
        self.primary.stop_immediately()

    def promote_standby(self) -> float:
        """`pg_ctl promote`, then drop any standby requirement; seconds until it accepts writes."""
        started = time.monotonic()
        self.standby.run_tool("pg_ctl", "promote", "-D", str(self.standby.data), "-w")
        self.standby.query("ALTER SYSTEM RESET synchronous_standby_names")
        self.standby.query("SELECT pg_reload_conf()")
        for attempt in poll(REPLICATION_TIMEOUT_S, every_s=0.1):
            with attempt:
                assert self.standby.query("SELECT pg_is_in_recovery()") == [(False,)]
        self.promoted_in_s = time.monotonic() - started
        return self.promoted_in_s

    def close(self) -> None:
        """Stop both servers by PID and delete their data."""
        self.standby.terminate()
        self.primary.terminate()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _start(self) -> None:
        data = str(self.primary.data)
        self.primary.run_tool("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        self.primary.start(*SERVER_SETTINGS)
        self.primary.query(f'CREATE DATABASE "{self.database}"')
        self.standby.run_tool(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", str(self.standby.data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        # The standby names itself to the primary by cluster_name (its walreceiver's application_name).
        self.standby.start(*SERVER_SETTINGS, f"cluster_name={STANDBY_NAME}")
        self._wait_for_replication("async")
        if self.synchronous:
            self.primary.query(f"ALTER SYSTEM SET synchronous_standby_names = '\"{STANDBY_NAME}\"'")
            self.primary.query("SELECT pg_reload_conf()")
            self._wait_for_replication("sync")

    def _wait_for_replication(self, sync_state: str) -> None:
        for attempt in poll(REPLICATION_TIMEOUT_S, every_s=0.1):
            with attempt:
                state = self.replication_state()
                assert state == ("streaming", sync_state), f"standby replication: {state}"
