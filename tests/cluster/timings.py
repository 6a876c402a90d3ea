"""Figures the cluster tests measured, shown at the end of the run: printed, never asserted on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Timings:
    """Named durations in seconds, and counts, in the order they were measured."""

    figures: list[tuple[str, float, str]] = field(default_factory=list)

    def seconds(self, what: str, value: float) -> None:
        self.figures.append((what, value, "s"))

    def count(self, what: str, value: int) -> None:
        self.figures.append((what, float(value), ""))

    def lines(self) -> list[str]:
        return [
            f"{what:<72} {value:9.3f} s" if unit else f"{what:<72} {value:9.0f}" for what, value, unit in self.figures
        ]
