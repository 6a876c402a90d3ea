"""Readiness: the database must answer; other checks inform without failing readiness."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    detail: str | None = None


class HealthCheck(Protocol):
    """One dependency's state; `critical` checks decide readiness."""

    name: str
    critical: bool

    def check(self) -> CheckResult: ...


class Backlog(abc.ABC):
    """How far the relay is behind."""

    @abc.abstractmethod
    def measure(self) -> tuple[int, float | None]:
        """(pending events, seconds since the oldest pending one occurred, or None when none is pending)."""


class HealthProvider:
    """Runs every check and says whether the process should receive traffic."""

    def __init__(self, checks: Sequence[HealthCheck]) -> None:
        self._checks = checks

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        results: dict[str, dict[str, Any]] = {}
        ready = True
        for health_check in self._checks:
            result = health_check.check()
            results[health_check.name] = {"ok": result.ok}
            if result.detail:
                results[health_check.name]["detail"] = result.detail
            ready = ready and (result.ok or not health_check.critical)
        return ready, {"status": "ok" if ready else "unavailable", "checks": results}
