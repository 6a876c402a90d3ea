"""A PostgreSQL outage under write load: 503s while it is down, no 500, recovery without a restart.

The server is the test's own (tests/outage/own_postgres.py); the API runs under gunicorn as in
production. Every write the API acknowledged must be in the database afterwards, with its event
in the outbox.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from adapters.items_repository import items
from adapters.tables import outbox
from settings import Settings
from tests.conftest import migrate
from tests.e2e.live_server import live_server
from tests.outage.own_postgres import OwnPostgres, own_postgres
from tests.outage.write_load import Answer, WriteLoad
from tests.tokens import bearer
from tests.waiting import wait_until

DOWN_S = 4.0


def _wait_for_new_answers(load: WriteLoad, after: int, status: int, count: int) -> None:
    def seen() -> bool:
        return sum(answer.status == status for answer in load.snapshot()[after:]) >= count

    try:
        wait_until(seen, f"{count} answers {status}", timeout_s=60, interval_s=0.2)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; got {Counter(a.status for a in load.snapshot()[after:])}") from None


def _outage(server: OwnPostgres, load: WriteLoad, base_url: str) -> None:
    """Stop the server for DOWN_S under load, start it again, and wait for writes to succeed."""
    _wait_for_new_answers(load, 0, 201, 20)
    server.stop("fast")
    started = len(load.snapshot())
    _wait_for_new_answers(load, started, 503, 10)
    assert httpx.get(f"{base_url}/health/ready").status_code == 503
    time.sleep(DOWN_S)  # the outage itself: the load goes on meanwhile
    server.start()
    _wait_for_new_answers(load, len(load.snapshot()), 201, 40)
    server.restart()  # and a quick restart, still under load
    _wait_for_new_answers(load, len(load.snapshot()), 201, 40)


@pytest.mark.slow
@pytest.mark.postgres
def test_database_outage_under_write_load(tmp_path: Path) -> None:
    with own_postgres() as server:
        migrate(server.url)
        settings = Settings(database_url=server.url, auth_dev_secret_file=tmp_path / "jwt-secret")
        token = bearer(settings, ttl=3600)["Authorization"]
        log_path = tmp_path / "server.log"
        env = {"AUTH_DEV_SECRET_FILE": str(settings.auth_dev_secret_file), "ACCESS_LOG": "false"}
        with live_server(server.url, log_path, **env) as base_url:
            with WriteLoad(base_url, token) as load:
                _outage(server, load, base_url)
            answers = load.snapshot()
            # Idle now: a quick restart must cost the next request and the next probe nothing.
            server.restart()
            after_idle = httpx.post(
                f"{base_url}/v1/items",
                json={"sku": "AFTER-IDLE", "name": "n", "price": {"amount_minor": 1, "currency": "EUR"}},
                headers={"Authorization": token},
            )
            ready = httpx.get(f"{base_url}/health/ready")
        _report(answers)
        assert after_idle.status_code == 201, after_idle.text
        assert ready.status_code == 200, ready.text
        _assert_answers(answers)
        _assert_acknowledged_writes_kept(server.url, [*answers, Answer(201, "", None, after_idle.json()["id"])])
    log = log_path.read_text()
    assert "Traceback" not in log
    assert 0 < log.count("database unavailable") <= 12, log[-3000:]


def _report(answers: list[Answer]) -> None:
    statuses = Counter(answer.status for answer in answers)
    print(f"outage figures: {len(answers)} requests, {statuses[503]} x 503, {statuses[500]} x 500, statuses {statuses}")


def _assert_answers(answers: list[Answer]) -> None:
    statuses = Counter(answer.status for answer in answers)
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[503] > 0 and statuses[201] > 0
    for answer in answers:
        if answer.status == 503:
            assert answer.content_type.startswith("application/problem+json") and answer.retry_after
    # Once back, it stays back: the last writes all succeeded.
    assert {answer.status for answer in answers[-20:]} == {201}


def _assert_acknowledged_writes_kept(url: str, answers: list[Answer]) -> None:
    acknowledged = {answer.item_id for answer in answers if answer.status == 201}
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = {str(row) for row in connection.execute(select(items.c.id)).scalars()}
            with_event = {str(row) for row in connection.execute(select(outbox.c.aggregate_id)).scalars()}
    finally:
        engine.dispose()
    lost = acknowledged - stored
    print(f"outage figures: {len(acknowledged)} acknowledged writes, {len(lost)} lost")
    assert not lost
    assert acknowledged <= with_event
