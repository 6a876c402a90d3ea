"""Runs wrk with a Lua scenario script and parses the JSON summary its `done()` prints."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.paths import LUA_DIR, WORK_DIR

RESULT_MARKER = "BENCH_RESULT "


@dataclass(frozen=True)
class LoadPlan:
    """One wrk invocation against a server already running."""

    script: str
    path: str
    duration_s: int
    connections: int
    threads: int
    connection_close: bool = False
    options: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadResult:
    """What wrk measured: throughput, latency percentiles in milliseconds and error counts."""

    requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: dict[str, int]

    @property
    def failed(self) -> int:
        """Socket errors plus responses outside 2xx/3xx."""
        return sum(self.errors.values())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class LoadError(RuntimeError):
    """wrk failed or printed no summary."""


def run_wrk(wrk: str, base_url: str, plan: LoadPlan) -> LoadResult:
    script = _composed_script(plan.script)
    command = [
        wrk,
        f"--threads={plan.threads}",
        f"--connections={plan.connections}",
        f"--duration={plan.duration_s}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
    ]
    headers = {**plan.headers, **({"Connection": "close"} if plan.connection_close else {})}
    command += [f"--header={name}: {value}" for name, value in headers.items()]
    command += [base_url + plan.path, "--", *(f"{key}={value}" for key, value in plan.options.items())]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=plan.duration_s + 60, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return _parsed(json.loads(line[len(RESULT_MARKER) :]))
    raise LoadError(
        f"wrk exited {completed.returncode} without a summary: {completed.stderr.strip() or completed.stdout.strip()}"
    )


def _parsed(summary: dict[str, Any]) -> LoadResult:
    duration_s = summary["duration_us"] / 1e6
    latency = summary["latency_us"]
    return LoadResult(
        requests=summary["requests"],
        duration_s=duration_s,
        requests_per_s=summary["requests"] / duration_s if duration_s else 0.0,
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        mean_ms=latency["mean"] / 1000,
        max_ms=latency["max"] / 1000,
        errors=dict(summary["errors"]),
    )


def _composed_script(name: str) -> Path:
    """wrk takes one script: the shared helpers followed by the scenario's own functions."""
    target = WORK_DIR / "lua" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((LUA_DIR / "common.lua").read_text() + "\n" + (LUA_DIR / name).read_text())
    return target
