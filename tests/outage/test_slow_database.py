"""A database that answers too slowly: quick 503s, readiness 503, liveness 200 throughout.

Each worker serves one request at a time (docs/deployment.md, "Serving model"), so what keeps the
service answering is the statement timeout: a query stuck behind a lock is cancelled by the
server and answered 503, instead of holding its worker. The slowness is a lock of the test's own
on a scratch database: every query on `items` waits for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from adapters.database_health import DatabaseCheck
from app import build_injector
from providers.health_provider import HealthProvider
from settings import Settings
from tests.conftest import migrate
from tests.e2e.live_server import live_server
from tests.servers import scratch_postgres_database

# Far longer than the timeouts under test: a request that waits for the lock fails the test.
CLIENT_TIMEOUT_S = 20.0


@contextmanager
def items_locked(database_url: str) -> Iterator[None]:
    """Hold an exclusive lock on `items`, which every read and write of an item waits for."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("LOCK TABLE items IN ACCESS EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


@pytest.fixture
def slow_database() -> Iterator[str]:
    with scratch_postgres_database() as url:
        migrate(url)
        yield url


@pytest.mark.slow
@pytest.mark.postgres
def test_a_slow_database_gives_quick_503s_while_liveness_keeps_answering(slow_database: str, tmp_path: Path) -> None:
    env = {"AUTH_ENABLED": "false", "ACCESS_LOG": "false", "DB_STATEMENT_TIMEOUT_MS": "1500"}
    item = f"/v1/items/{uuid.uuid4()}"
    server = live_server(slow_database, tmp_path / "server.log", workers=2, **env)
    with server as base_url, httpx.Client(base_url=base_url, timeout=CLIENT_TIMEOUT_S) as client:
        assert client.get(item).status_code == 404
        with items_locked(slow_database), ThreadPoolExecutor(4) as pool:
            # Both workers get stuck queries while the probes go on.
            reads = [pool.submit(client.get, item) for _ in range(4)]
            live = [client.get("/health/live") for _ in range(5)]
            ready = client.get("/health/ready")
            answers = [read.result() for read in reads]
        after = client.get(item)
        ready_after = client.get("/health/ready")
    assert [answer.status_code for answer in live] == [200] * 5
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"]["database"]["ok"] is False
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("/database-unavailable")
        assert answer.headers["retry-after"]
    assert after.status_code == 404
    assert ready_after.status_code == 200, ready_after.text


@pytest.mark.postgres
def test_the_wired_readiness_check_answers_within_its_own_timeout_not_the_apis(slow_database: str) -> None:
    # The units of work's engine autocommits: given that one, the probe's timeout would end with its
    # own statement, and the probe would wait for the API's timeout (here 10 min) instead. A hang
    # fails at the result's bound.
    settings = Settings(database_url=slow_database, db_statement_timeout_ms=600_000, db_probe_timeout_ms=200)
    injector = build_injector(settings)
    health = injector.get(HealthProvider)
    try:
        # The lock is released before the pool waits for its thread, so a hung probe fails rather than hangs.
        with ThreadPoolExecutor(1) as pool, items_locked(slow_database):
            while_locked = pool.submit(health.readiness).result(timeout=CLIENT_TIMEOUT_S)[1]["checks"]
        assert while_locked["database"]["ok"] is False
        assert health.readiness()[1]["checks"]["database"]["ok"] is True
    finally:
        injector.get(Engine).dispose()


@pytest.mark.postgres
def test_the_readiness_check_has_its_own_shorter_timeout(slow_database: str) -> None:
    engine: Engine = create_engine(slow_database)  # no statement timeout of its own
    try:
        with items_locked(slow_database):
            result = DatabaseCheck(engine, timeout_ms=200).check()
        assert not result.ok
        assert DatabaseCheck(engine, timeout_ms=200).check().ok
    finally:
        engine.dispose()
