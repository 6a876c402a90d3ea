"""`make run` under attack: kill -9 its relay and its consumer, and the stack heals without losing an event.

It also checks that every process uses the one broker URL (a vhost other than `/`) and that the
schema URLs follow the port the API serves on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_fixed

from settings import PROJECT_ROOT, Settings
from tests.conftest import migrate
from tests.e2e.local_stack import LocalStack, local_stack
from tests.servers import scratch_vhost
from tests.tokens import bearer

BEFORE, WHILE_DOWN = 3, 3


def _create(stack: LocalStack, token: str, sku: str) -> None:
    body = {"sku": sku, "name": "n", "price": {"amount_minor": 1, "currency": "EUR"}, "tags": ["t"]}
    response = httpx.post(f"{stack.base_url}/v1/items", json=body, headers={"Authorization": token})
    assert response.status_code == 201, response.text


def _projected(stack: LocalStack) -> int:
    shown = subprocess.run(
        [sys.executable, "-m", "examples.catalog_projection", "show", "--json"],
        cwd=PROJECT_ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(json.loads(shown.stdout)["live_items"])


def _eventually(check, timeout_s: float = 90) -> None:  # type: ignore[no-untyped-def]
    retry(
        stop=stop_after_delay(timeout_s),
        wait=wait_fixed(0.5),
        retry=retry_if_exception_type((AssertionError, OSError, subprocess.CalledProcessError)),
        reraise=True,
    )(check)()


@pytest.mark.slow
@pytest.mark.rabbitmq
def test_killed_relay_and_consumer_come_back_and_no_event_is_lost(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'items.db'}"
    migrate(database_url)
    with scratch_vhost() as amqp_url, local_stack(database_url, amqp_url, tmp_path) as stack:
        token = bearer(Settings(auth_dev_secret_file=tmp_path / "jwt-secret"))["Authorization"]
        hrefs = [entry["href"] for entry in httpx.get(f"{stack.base_url}/v1/schemas").json()["schemas"]]
        assert all(href.startswith(f"{stack.base_url}/v1/schemas/") for href in hrefs), hrefs

        for number in range(BEFORE):
            _create(stack, token, f"RUN-{number}")
        _eventually(lambda: _assert_equal(_projected(stack), BEFORE))  # the consumer reads the scratch vhost

        _eventually(lambda: _assert_equal(set(stack.children()), {"api", "relay", "catalog"}))
        killed = stack.children()
        for role in ("relay", "catalog"):
            os.kill(killed[role], signal.SIGKILL)
        for number in range(BEFORE, BEFORE + WHILE_DOWN):
            _create(stack, token, f"RUN-{number}")  # the API goes on serving

        def restarted() -> None:
            now = stack.children()
            assert now.get("api") == killed["api"]
            for role in ("relay", "catalog"):
                assert now.get(role) not in (None, killed[role])

        _eventually(restarted)
        _eventually(lambda: _assert_equal(_projected(stack), BEFORE + WHILE_DOWN))
        processes = [stack.pid, *stack.children().values()]
    log = stack.log_path.read_text()
    assert "relay exited with -9; restarting it" in log and "catalog exited with -9; restarting it" in log
    assert all(_gone(pid) for pid in processes)  # SIGTERM stopped the supervisor and every child


def _assert_equal(actual: object, expected: object) -> None:
    assert actual == expected


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"  # exited, not yet reaped
    except FileNotFoundError:
        return True
