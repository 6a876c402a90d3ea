"""Medians and ratios over the rounds of one measurement."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bench.load import LoadResult
from bench.worker_split import WorkerSplit


@dataclass(frozen=True)
class Sample:
    """One measured run: what wrk saw and how the work split across the workers."""

    round: int
    load: LoadResult
    split: WorkerSplit

    @property
    def cpu_ms_per_request(self) -> float:
        """Worker CPU per request: steadier than req/s on a busy machine, as it ignores time spent waiting."""
        return 1000 * self.split.cpu_seconds / self.load.requests if self.load.requests else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            **self.load.to_json(),
            "cpu_ms_per_request": self.cpu_ms_per_request,
            "split": self.split.to_json(),
        }


@dataclass(frozen=True)
class Summary:
    """Medians over rounds, with the req/s range to show the spread."""

    rounds: int
    requests_per_s: float
    requests_per_s_min: float
    requests_per_s_max: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    busiest_cpu_share: float
    failed: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def summarise(samples: Sequence[Sample]) -> Summary:
    rates = [sample.load.requests_per_s for sample in samples]
    return Summary(
        rounds=len(samples),
        requests_per_s=statistics.median(rates),
        requests_per_s_min=min(rates),
        requests_per_s_max=max(rates),
        p50_ms=statistics.median(sample.load.p50_ms for sample in samples),
        p99_ms=statistics.median(sample.load.p99_ms for sample in samples),
        cpu_ms_per_request=statistics.median(sample.cpu_ms_per_request for sample in samples),
        busiest_cpu_share=statistics.median(sample.split.busiest_cpu_share for sample in samples),
        failed=sum(sample.load.failed for sample in samples),
    )


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")
