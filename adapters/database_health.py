"""Readiness check of the database: one cheap query with a short timeout."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from providers.health_provider import CheckResult


class DatabaseCheck:
    """Critical: without the database the API cannot serve anything."""

    name = "database"
    critical = True

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def check(self) -> CheckResult:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1 FROM items LIMIT 1"))
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            return CheckResult(False, f"database unavailable: {type(cause).__name__}")
        return CheckResult(True)
