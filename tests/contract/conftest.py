"""Fixtures of the contract tests: the app with the contract's routes bound, and the event registry."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    """The current writer schemas, as the service loads them."""
    return service_registry()
