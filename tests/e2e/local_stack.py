"""Runs `make run`'s entry point on free ports, a scratch vhost and databases of the test's own."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pika

from tests.e2e.live_server import free_port, running
from tests.waiting import wait_until

ROLES = {"api": "gunicorn", "relay": "entrypoints.relay", "catalog": "examples.catalog_projection"}


@dataclass(frozen=True)
class LocalStack:
    base_url: str
    pid: int
    env: dict[str, str]
    log_path: Path

    def children(self) -> dict[str, int]:
        """The pid of each role among the direct children of the supervisor."""
        found = {}
        for child in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except FileNotFoundError:
                continue  # it just exited
            found.update({role: int(child) for role, marker in ROLES.items() if marker in command})
        return found


@contextmanager
def local_stack(
    database_url: str, amqp_url: str, directory: Path, extra_env: dict[str, str] | None = None
) -> Iterator[LocalStack]:
    """`python -m entrypoints.run` as `make run` starts it, plus `extra_env`; stopped with SIGTERM afterwards."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CATALOG_", "OTEL_")) and key not in ("PUBLIC_BASE_URL", "GUNICORN_BIND")
    }
    env |= {
        "DATABASE_URL": database_url,
        "AMQP_URL": amqp_url,
        "EVENTS_EXCHANGE": f"items-{uuid.uuid4().hex[:8]}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "ACCESS_LOG": "false",
        "AUTH_DEV_SECRET_FILE": str(directory / "jwt-secret"),
        "CATALOG_DATABASE_URL": f"sqlite:///{directory / 'catalog.db'}",
        "CATALOG_QUEUE": f"catalog-{uuid.uuid4().hex[:8]}",
        **(extra_env or {}),
    }
    log_path = directory / "run.log"
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "entrypoints.run"]
    with running(command, env, log_path, base_url, own_session=True) as run:
        # An event published before the consumer has bound its queue reaches no queue (the outbox
        # keeps it for replay), so a test's first write waits for the consumer, not just the API.
        wait_until(lambda: consuming(amqp_url, env["CATALOG_QUEUE"]), "the example consumer on its queue", 60)
        yield LocalStack(base_url, run.pid, env, log_path)


def consuming(amqp_url: str, queue: str) -> bool:
    """Whether `queue` exists and has a consumer."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return bool(connection.channel().queue_declare(queue, passive=True).method.consumer_count)
    except pika.exceptions.ChannelClosedByBroker:
        return False  # 404: not declared yet
    finally:
        if connection.is_open:
            connection.close()
