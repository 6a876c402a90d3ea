"""Alembic environment: migrates the database named by the service settings."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import adapters
from adapters.database import create_database_engine
from adapters.tables import metadata
from settings import load_settings
from wiring.discovery import import_all

if context.config.config_file_name is not None and context.config.attributes.get("configure_logger", True):
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_database_engine(load_settings())
    with engine.connect() as new_connection:
        _migrate(new_connection)
    engine.dispose()


def _migrate(connection: object) -> None:
    import_all(adapters)  # every repository module adds its tables to `metadata`, for --autogenerate
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
