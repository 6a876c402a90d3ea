"""`pip install items-events` into an empty virtual environment is all another team needs to consume.

The venv gets the library and what it declares (pika, fastavro, SQLAlchemy, from the package
index) and nothing of the service; a consumer script run with it gets the events of both
resources, its writer schemas fetched over HTTP from the running service.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from connexion import FlaskApp
from sqlalchemy import create_engine, text

from settings import PROJECT_ROOT, Settings
from tests.consumer import standalone_consumer
from tests.consumer.broker import TestBroker
from tests.contract.threaded_server import serving
from tests.integration.relay_runner import relay_thread
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]

INSTALL_TIMEOUT_S = 600
EXCHANGE = "items"
SERVICE_ONLY = ("flask", "connexion", "injector", "flask_injector", "alembic", "gunicorn", "uvicorn", "pydantic")
SERVICE_PACKAGES = ("app", "settings", "domain", "providers", "adapters", "eventing", "api", "relay", "wiring")


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with only `pip install <repo>/consumer` in it; returns its python."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    # Made by the service venv's python, the new venv still starts from the base interpreter, empty.
    run([sys.executable, "-m", "venv", str(venv)], timeout_s=120)
    python = venv / "bin" / "python"
    # The build dir is copied, so an editable install's leftovers in the source tree do not matter.
    run([str(python), "-m", "pip", "install", "--quiet", str(PROJECT_ROOT / "consumer")], timeout_s=INSTALL_TIMEOUT_S)
    return python


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would let the venv see the service."""
    hidden = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    return {**{name: value for name, value in os.environ.items() if name not in hidden}, **extra}


def run(command: list[str], timeout_s: float, cwd: Path | None = None) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=clean_environment(), capture_output=True, text=True, timeout=timeout_s, check=False
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_the_fresh_venv_has_the_library_and_nothing_of_the_service(fresh_venv: Path, tmp_path: Path) -> None:
    probe = (
        "import importlib.util, json, sys;"
        "print(json.dumps({name: importlib.util.find_spec(name) is not None for name in sys.argv[1:]}))"
    )
    names = ["items_events", "pika", "fastavro", "sqlalchemy", *SERVICE_ONLY, *SERVICE_PACKAGES]
    found = run([str(fresh_venv), "-I", "-c", probe, *names], timeout_s=60, cwd=tmp_path)
    importable = {name for name, present in json.loads(found).items() if present}
    assert importable == {"items_events", "pika", "fastavro", "sqlalchemy"}


@pytest.fixture
def settings(settings: Settings, vhost_url: str) -> Settings:
    """The service publishing to the `items` exchange of the test's vhost."""
    return settings.with_changes({"amqp_url": vhost_url, "events_exchange": EXCHANGE})


@pytest.mark.timeout(INSTALL_TIMEOUT_S + 300)
def test_a_consumer_script_in_the_fresh_venv_applies_both_resources_events(
    fresh_venv: Path, client: Any, app: FlaskApp, settings: Settings, vhost_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "consumer.py"
    shutil.copyfile(Path(standalone_consumer.__file__), script)
    database = tmp_path / "consumer.db"
    with serving(app) as base_url:
        environment = {
            "STANDALONE_AMQP_URL": vhost_url,
            "STANDALONE_EXCHANGE": EXCHANGE,
            "STANDALONE_QUEUE": "fresh-install-consumer",
            "STANDALONE_SCHEMAS_URL": f"{base_url}/v1/schemas",
            "STANDALONE_DATABASE_URL": f"sqlite:///{database}",
        }
        with TestBroker(vhost_url) as broker:  # its queue, as it declares it, before anything is published
            broker.declare(standalone_consumer.config_from(environment))
        category = client.post("/v1/categories", json={"name": "Garden"})
        assert category.status_code == 201, category.text
        body = {"sku": "RAKE-1", "name": "Rake", "price": {"amount_minor": 1500, "currency": "EUR"}}
        item = client.post("/v1/items", json={**body, "category_id": category.json()["id"]})
        assert item.status_code == 201, item.text

        with (tmp_path / "consumer.log").open("wb") as log, relay_thread(settings):
            consumer = subprocess.Popen(
                [str(fresh_venv), "-I", str(script)],
                cwd=tmp_path, env=clean_environment(**environment), stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                # Stops at once if the script exits; the assertions below then say why, with its log.
                with contextlib.suppress(AssertionError):
                    wait_until(lambda: len(handled(database)) == 2 or consumer.poll() is not None, "both applied", 60)
            finally:
                consumer.send_signal(signal.SIGTERM)
                exit_code = consumer.wait(30)
    log_text = (tmp_path / "consumer.log").read_text(errors="replace")
    assert exit_code == 0, log_text
    assert len(handled(database)) == 2, log_text
    assert handled(database) == [
        ("categories.v1.CategoryCreated", category.json()["id"], "Garden"),
        ("items.v1.ItemCreated", item.json()["id"], "Rake"),
    ]


def handled(database: Path) -> list[tuple[str, str, str]]:
    """What the script wrote, in event order (ids are time-ordered); empty before it made its table."""
    if not database.exists():
        return []
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'handled'")).first()
            if exists is None:
                return []
            rows = connection.execute(text("SELECT event_type, resource_id, name FROM handled ORDER BY event_id"))
            return [(row.event_type, row.resource_id, row.name) for row in rows]
    finally:
        engine.dispose()
