"""When a relay says it took or lost the lead, read back from its JSON log lines."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from relay.outbox_relay import ABDICATION_PREFIX, LEADER_MESSAGE, RELEASED_MESSAGE


@dataclass(frozen=True, slots=True)
class LeadershipLog:
    """Wall-clock times (seconds since the epoch) of a relay's leadership lines."""

    took_lead: tuple[float, ...]
    stopped_publishing: tuple[float, ...]
    """Lost the lead (the lock session failed)."""
    released: tuple[float, ...] = ()
    """Gave the lead up on a graceful stop."""
    lines: tuple[str, ...] = ()
    """The leadership lines themselves, with the reason a lead was lost: for a failure's message."""

    def terms(self) -> list[tuple[float, float]]:
        """(took the lead, lost or released it) per lead, in order; inf if it still led when the log ends."""
        ends = sorted(self.stopped_publishing + self.released)
        return [(took, min((end for end in ends if end >= took), default=math.inf)) for took in self.took_lead]


@dataclass(frozen=True, slots=True)
class Term:
    """One relay's lead, from its log."""

    relay: int
    took: float
    stopped: float


def terms_in_order(logs: Sequence[LeadershipLog]) -> list[Term]:
    """Every lead of every relay (numbered by its place in `logs`), by the time it was taken."""
    return sorted(
        (Term(relay, took, stopped) for relay, log in enumerate(logs) for took, stopped in log.terms()),
        key=lambda term: term.took,
    )


def read_leadership_log(path: Path) -> LeadershipLog:
    """Every leadership line of the relay log at `path`; other lines are ignored."""
    took: list[float] = []
    stopped: list[float] = []
    released: list[float] = []
    lines: list[str] = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        message = str(record.get("message", "")) if isinstance(record, dict) else ""
        kind = {LEADER_MESSAGE: took, RELEASED_MESSAGE: released}.get(message)
        if kind is None and message.startswith(ABDICATION_PREFIX):
            kind = stopped
        if kind is None:
            continue
        kind.append(datetime.fromisoformat(record["timestamp"]).timestamp())
        lines.append(f"{record['timestamp']} {message}")
    return LeadershipLog(tuple(took), tuple(stopped), tuple(released), tuple(lines))
