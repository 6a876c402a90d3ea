"""Fixtures of the contract tests: the app with the contract's routes bound, and the event registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from connexion import FlaskApp

from app import create_app
from eventing.schema_registry import SchemaRegistry
from settings import Settings
from tests.events import registry as service_registry
from wiring.contract import ContractModule


@pytest.fixture
def app(settings: Settings) -> FlaskApp:
    """The real app; ContractModule is passed explicitly so these tests hold whatever app.py lists."""
    return create_app(settings, overrides=[ContractModule()])


@pytest.fixture
def sqlite_app(sqlite_url: str, tmp_path: Path) -> FlaskApp:
    """The app on SQLite alone, for what does not depend on the database: published documents, pages."""
    settings = Settings(database_url=sqlite_url, auth_dev_secret_file=tmp_path / "jwt-secret")
    return create_app(settings, overrides=[ContractModule()])


@pytest.fixture
def sqlite_client(sqlite_app: FlaskApp) -> Iterator[Any]:
    """A test client of `sqlite_app` that sends no token."""
    with sqlite_app.test_client() as test_client:
        yield test_client


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    """The current writer schemas, as the service loads them."""
    return service_registry()
