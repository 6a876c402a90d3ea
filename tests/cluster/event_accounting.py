"""What became of each write's event, read back behind the service: when it occurred, was published, was applied."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, select

from adapters.tables import outbox

METRICS_TIMEOUT_S = 5.0


def occurred_times(engine: Engine) -> dict[str, float]:
    """When each event in the outbox occurred (seconds since the epoch), by event id."""
    with engine.connect() as connection:
        rows = connection.execute(select(outbox.c.event_id, outbox.c.occurred_at))
        return {str(event_id): occurred.timestamp() for event_id, occurred in rows}


def event_versions(engine: Engine) -> dict[str, tuple[int, int]]:
    """Every item's (number of events, highest version) in the outbox: equal when no version lacks its event."""
    query = select(outbox.c.aggregate_id, func.count(), func.max(outbox.c.aggregate_version)).group_by(
        outbox.c.aggregate_id
    )
    with engine.connect() as connection:
        return {str(item): (int(count), int(highest)) for item, count, highest in connection.execute(query)}


def resumed_after(moment: float, occurred: Mapping[str, float], marks: Mapping[str, float]) -> float:
    """Seconds from `moment` until the first event that occurred after it was marked (published, or applied)."""
    return min(marks[event] for event, at in occurred.items() if at > moment and event in marks) - moment


def consumer_counters(metrics_port: int) -> dict[str, float]:
    """The consumer process's Prometheus counters, summed over their labels, by sample name."""
    text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=METRICS_TIMEOUT_S).text
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_total"):
                totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals


def log_messages(path: Path, prefix: str) -> list[tuple[float, str]]:
    """(time, message) of every JSON log line of `path` whose message starts with `prefix`."""
    found = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line some library printed as plain text
        message = str(record.get("message", "")) if isinstance(record, dict) else ""
        if message.startswith(prefix):
            found.append((datetime.fromisoformat(record["timestamp"]).timestamp(), message))
    return found
