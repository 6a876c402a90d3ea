"""Readiness check of the database: one cheap query with a short timeout."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from providers.health_provider import CheckResult


class DatabaseCheck:
    """Critical: without the database the API cannot serve anything."""

    name = "database"
    critical = True

    def __init__(self, engine: Engine, timeout_ms: int = 1000) -> None:
        self._engine = engine
        self._timeout_ms = timeout_ms

    def check(self) -> CheckResult:
        try:
            return self._query()
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                return _unavailable(exc)
        except SQLAlchemyError as exc:
            return _unavailable(exc)
        # The connection was one the server had dropped, and the pool has replaced them all: the
        # answer about the database is the next query's, not this one's.
        try:
            return self._query()
        except SQLAlchemyError as exc:
            return _unavailable(exc)

    def _query(self) -> CheckResult:
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Shorter than the probe's own timeout, and than the API's: a slow database gives a
                # quick 503 here rather than a probe left hanging, and holds the worker only briefly.
                timeout = {"timeout": f"{self._timeout_ms}ms"}
                connection.execute(text("SELECT set_config('statement_timeout', :timeout, true)"), timeout)
            connection.execute(text("SELECT 1 FROM items LIMIT 1"))
        return CheckResult(True)


def _unavailable(exc: SQLAlchemyError) -> CheckResult:
    cause = getattr(exc, "orig", None) or exc
    return CheckResult(False, f"database unavailable: {type(cause).__name__}")
