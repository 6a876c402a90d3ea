"""What a scenario is: something the runner can run and the report can render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from bench.options import BenchOptions


@dataclass(frozen=True)
class BenchContext:
    """What every scenario gets from the runner."""

    options: BenchOptions
    wrk: str


@dataclass(frozen=True)
class Table:
    """A markdown table: a header row and rows of already formatted cells."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """Grouped bars: one group per x label, one bar per series within each group."""

    title: str
    y_label: str
    groups: tuple[str, ...]
    series: dict[str, tuple[float, ...]]


@dataclass(frozen=True)
class TargetCheck:
    """One target of the issue and whether this run met it."""

    target: str
    measured: str
    met: bool


@dataclass
class ScenarioResult:
    """Everything a scenario reports: prose, tables, charts, target checks and raw data for JSON."""

    name: str
    title: str
    method: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    checks: list[TargetCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    elapsed_s: float = 0.0
    """Wall-clock time the scenario took, set by the runner."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Scenario(Protocol):
    """A benchmark the runner can run; add one by registering it in `bench.scenarios`."""

    name: str

    def run(self, context: BenchContext) -> ScenarioResult: ...
