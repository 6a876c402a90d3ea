"""The consumer's Prometheus counters, when prometheus-client is installed (`items-events[metrics]`)."""

from __future__ import annotations

from typing import Any


class _Uncounted:
    """Stands in for a counter without prometheus-client: counts nothing."""

    def labels(self, *_values: str) -> _Uncounted:
        return self

    def inc(self, amount: float = 1) -> None:
        return None


def _counter(name: str, documentation: str, labels: tuple[str, ...] = ()) -> Any:
    try:
        from prometheus_client import Counter
    except ImportError:
        return _Uncounted()
    return Counter(name, documentation, list(labels))


PROCESSED = _counter("consumer_events_processed_total", "Events handled and acked.", ("event_type",))
IGNORED = _counter("consumer_events_ignored_total", "Events acked without a handler for their type.", ("event_type",))
REDELIVERED = _counter("consumer_events_redelivered_total", "Redeliveries acked without re-applying.")
DEAD_LETTERED = _counter("consumer_events_dead_lettered_total", "Events sent to the dead-letter queue.")
