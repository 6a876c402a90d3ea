"""Answers 503 with Retry-After while the database cannot be reached, logging the outage, not each request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.problem import problem
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from api.problems import PROBLEM_TYPE_BASE

RETRY_AFTER_S = 2
LOG_EVERY_S = 10.0

log = logging.getLogger(__name__)


class OutageLog:
    """One line when failures start, then at most one per `every_s` with how many it left out."""

    def __init__(self, every_s: float = LOG_EVERY_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._every_s = every_s
        self._clock = clock
        self._lock = threading.Lock()
        self._next_line_at = float("-inf")
        self._unlogged = 0

    def failed(self, cause: str) -> None:
        with self._lock:
            now = self._clock()
            if now < self._next_line_at:
                self._unlogged += 1
                return
            unlogged, self._unlogged = self._unlogged, 0
            self._next_line_at = now + self._every_s
        log.warning("database unavailable, answering 503: %s (%d more since the last line)", cause, unlogged)


def is_unavailability(exc: BaseException) -> bool:
    """A failure to reach the database, as opposed to a bug in a query."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def database_problem_handler(outages: OutageLog) -> Callable[[ConnexionRequest, Exception], ConnexionResponse]:
    """The error handler for SQLAlchemy errors: 503 for an outage, and the usual 500 for anything else."""

    def database_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        if not is_unavailability(exc):
            log.error("database error", exc_info=exc)
            return problem(500, "Internal Server Error", "the server could not complete the request")
        outages.failed(_cause(exc))
        return problem(
            503,
            "Service Unavailable",
            "the database cannot be reached; retry later",
            type=PROBLEM_TYPE_BASE + "database-unavailable",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )

    return database_problem


def _cause(exc: Exception) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"
