"""How far the relay is behind (pending outbox rows, age of the oldest) and its readiness check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from adapters.tables import outbox
from providers.health_provider import Backlog, CheckResult

STALE_BACKLOG_S = 60.0


class OutboxBacklog(Backlog):
    """One query over the pending rows (the partial index `ix_outbox_pending` covers them)."""

    def __init__(self, engine: Engine, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._now = now

    def measure(self) -> tuple[int, float | None]:
        """(pending rows, seconds since the oldest pending event occurred, or None when none is pending)."""
        query = select(func.count(), func.min(outbox.c.occurred_at)).where(outbox.c.published_at.is_(None))
        with self._engine.connect() as connection:
            pending, oldest = connection.execute(query).one()
        if oldest is None:
            return int(pending), None
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)  # SQLite returns the stored UTC time without its zone
        return int(pending), max(0.0, (self._now() - oldest).total_seconds())


class OutboxCheck:
    """Not critical: reports the relay's backlog; fails when the oldest pending event is stale."""

    name = "outbox"
    critical = False

    def __init__(self, backlog: Backlog, stale_after_s: float = STALE_BACKLOG_S) -> None:
        self._backlog = backlog
        self._stale_after_s = stale_after_s

    def check(self) -> CheckResult:
        try:
            pending, oldest_age_s = self._backlog.measure()
        except SQLAlchemyError as exc:
            return CheckResult(False, f"outbox unreadable: {type(exc).__name__}")
        age = "none" if oldest_age_s is None else f"{oldest_age_s:.1f}s"
        detail = f"{pending} events pending, oldest {age}"
        return CheckResult(oldest_age_s is None or oldest_age_s <= self._stale_after_s, detail)
