"""Reaching the real PostgreSQL and RabbitMQ: under CI a missing server fails the run, never skips it."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def unavailable(what: str, why: object) -> None:
    """Fail under CI (a missing server is a broken build); skip with the reason on a laptop."""
    message = f"{what} is not reachable ({why}); start it or run on a machine that has it"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_rabbitmq() -> str:
    parsed = make_url(AMQP_URL.replace("amqp://", "postgresql://", 1))
    try:
        socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5672), timeout=2).close()
    except OSError as exc:
        unavailable("RabbitMQ", exc)
    return AMQP_URL


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """A new, empty database on the real server, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"items_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        unavailable("PostgreSQL", exc)
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_vhost() -> Iterator[str]:
    """A new RabbitMQ vhost that guest may use, deleted afterwards; yields its AMQP URL."""
    base = require_rabbitmq()
    name = f"items-test-{uuid.uuid4().hex[:12]}"
    try:
        _rabbitmqctl("add_vhost", name)
        _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    except (OSError, subprocess.SubprocessError) as exc:
        unavailable("rabbitmqctl", exc)
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        _rabbitmqctl("delete_vhost", name)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)
