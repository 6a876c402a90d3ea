"""Runs the chosen scenarios one after the other and gathers what they report."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.environment import describe_environment
from bench.options import BenchOptions
from bench.scenarios import SCENARIOS
from bench.scenarios.base import BenchContext, ScenarioResult


@dataclass
class BenchRun:
    """One whole `python -m bench` run."""

    started_at: datetime
    options: BenchOptions
    environment: dict[str, Any]
    results: list[ScenarioResult] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def stamp(self) -> str:
        return self.started_at.strftime("%Y%m%dT%H%M%SZ")

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "elapsed_s": round(self.elapsed_s, 1),
            "options": asdict(self.options),
            "environment": self.environment,
            "scenarios": [result.to_json() for result in self.results],
        }


def run_scenarios(options: BenchOptions, wrk: str) -> BenchRun:
    run = BenchRun(datetime.now(UTC), options, describe_environment(wrk))
    context = BenchContext(options, wrk)
    started = time.monotonic()
    for name in options.scenarios:
        print(f"scenario {name}", flush=True)
        scenario_started = time.monotonic()
        result = SCENARIOS[name]().run(context)
        result.elapsed_s = time.monotonic() - scenario_started
        print(f"scenario {name} took {result.elapsed_s:.0f} s", flush=True)
        run.results.append(result)
    run.elapsed_s = time.monotonic() - started
    return run
