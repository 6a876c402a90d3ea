"""The event being handled, for log lines: `EventLogFilter` stamps its id, type, trace and span ids on each record."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from items_events.received_event import ReceivedEvent
from items_events.tracing import current_span_ids

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_current: ContextVar[ReceivedEvent | None] = ContextVar("items_events_current", default=None)


@contextmanager
def handling(event: ReceivedEvent) -> Iterator[None]:
    token = _current.set(event)
    try:
        yield
    finally:
        _current.reset(token)


def current_event() -> ReceivedEvent | None:
    """The event whose handler is running on this thread, if any."""
    return _current.get()


def trace_id(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None


class EventLogFilter(logging.Filter):
    """Adds `event_id`, `event_type`, `trace_id` and `span_id` to every record.

    The ids are the current span's when OpenTelemetry is installed and a span is current (the
    event's `process` span); otherwise the trace id is the producer's, from the event's headers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        event = _current.get()
        record.event_id = event.event_id if event else None
        record.event_type = event.event_type if event else None
        span = current_span_ids()
        if span is not None:
            record.trace_id, record.span_id = span
        elif event is not None:
            record.trace_id, record.span_id = trace_id(event.traceparent), None
        else:
            record.trace_id = getattr(record, "trace_id", None)
            record.span_id = getattr(record, "span_id", None)
        return True
