"""Fixtures: settings per database, a migrated schema, the app, and its test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from connexion import FlaskApp
from sqlalchemy import Engine, text

from adapters.database import create_database_engine
from app import create_app
from settings import PROJECT_ROOT, Settings
from tests.integration.relay_runner import RelayProcess
from tests.servers import scratch_postgres_database, scratch_vhost
from tests.tokens import bearer

TABLES = ("outbox", "idempotency_keys", "item_tags", "items", "categories")


def migrate(database_url: str) -> None:
    """Build the schema the way production does: with the Alembic migrations."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    engine = create_database_engine(Settings(database_url=database_url))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


@pytest.fixture(autouse=True)
def no_stray_relays() -> Iterator[None]:
    """Relay subprocesses a test started never outlive it, even when it fails."""
    yield
    RelayProcess.kill_leftovers()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated scratch database on the real PostgreSQL server, for the whole session."""
    with scratch_postgres_database() as url:
        migrate(url)
        yield url


@pytest.fixture
def vhost_url() -> Iterator[str]:
    """A RabbitMQ vhost of this test's own (its `items` exchange is no one else's), deleted afterwards."""
    with scratch_vhost() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite file of this test's own."""
    url = f"sqlite:///{tmp_path / 'items.db'}"
    migrate(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL, each starting from empty tables."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("postgres_url"))
    engine = create_database_engine(Settings(database_url=url))
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings of a test app: its own database and signing secret, responses checked against the spec."""
    return Settings(
        database_url=database_url,
        validate_responses=True,
        auth_dev_secret_file=tmp_path / "jwt-secret",
    )


@pytest.fixture
def app(settings: Settings) -> FlaskApp:
    """The real app, built by the one factory."""
    return create_app(settings)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A separate engine on the test database, for looking behind the API."""
    database = create_database_engine(settings)
    yield database
    database.dispose()


@pytest.fixture
def client(app: FlaskApp, settings: Settings):  # type: ignore[no-untyped-def]
    """Connexion's test client, sending a token with every scope."""
    with app.test_client(headers=bearer(settings)) as test_client:
        yield test_client
