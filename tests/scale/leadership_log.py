"""When a relay says it took or lost the lead, read back from its JSON log lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LEADER_MESSAGE = "this relay is the leader"
ABDICATION_PREFIX = "stopped publishing"


@dataclass(frozen=True, slots=True)
class LeadershipLog:
    """Wall-clock times (seconds since the epoch) of a relay's leadership lines."""

    took_lead: tuple[float, ...]
    stopped_publishing: tuple[float, ...]


def read_leadership_log(path: Path) -> LeadershipLog:
    """Every leadership line of the relay log at `path`; other lines are ignored."""
    took: list[float] = []
    stopped: list[float] = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        message = str(record.get("message", "")) if isinstance(record, dict) else ""
        if message == LEADER_MESSAGE:
            took.append(datetime.fromisoformat(record["timestamp"]).timestamp())
        elif message.startswith(ABDICATION_PREFIX):
            stopped.append(datetime.fromisoformat(record["timestamp"]).timestamp())
    return LeadershipLog(tuple(took), tuple(stopped))
