"""Batching and timing knobs of the relay loop."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RelayOptions:
    """What the settings decide, plus intervals that only tests shorten."""

    batch_size: int
    max_in_flight: int
    poll_interval_s: float
    read_interval_s: float = 0.0
    """Wake-ups within this long share one read (a full batch or freed window reads at once)."""
    campaign_interval_s: float = 1.0
    retention_interval_s: float = 60.0
    mark_delay_s: float = 0.05
    stop_grace_s: float = 5.0
