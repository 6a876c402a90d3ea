"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from injector import Inject

from providers.health_provider import HealthProvider


def live() -> dict[str, Any]:
    return {"status": "ok", "checks": {}}


def ready(health: Inject[HealthProvider]) -> tuple[dict[str, Any], int]:
    is_ready, report = health.readiness()
    return report, 200 if is_ready else 503
