"""Consume spans, when OpenTelemetry's API is installed: `pip install "items-events[tracing]"`.

Without it, nothing here does anything. With it, the handlers of each event run inside a
`process` span (kind CONSUMER) whose parent is the trace context the message carries, the
producer's publish span; the application's tracer provider decides whether it is recorded and
where it is exported (none installed: nothing is). Attributes follow the OpenTelemetry
messaging conventions for RabbitMQ, plus the CloudEvents id, type and subject.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from items_events.received_event import ReceivedEvent

try:
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError:  # the `tracing` extra is not installed
    trace = None  # type: ignore[assignment]

OPERATION = "process"


def processing(event: ReceivedEvent) -> AbstractContextManager[object]:
    """The span of one event's handling, current while its handlers run."""
    if trace is None:
        return nullcontext()
    attributes = {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": OPERATION,
        "messaging.operation.name": OPERATION,
        "messaging.destination.name": event.exchange,
        "messaging.rabbitmq.destination.routing_key": event.routing_key,
        "messaging.message.id": event.event_id,
        "cloudevents.event_id": event.event_id,
        "cloudevents.event_type": event.event_type,
        "cloudevents.event_subject": event.subject or "",
    }
    return trace.get_tracer(__name__).start_as_current_span(
        f"{OPERATION} {event.exchange}",
        context=TraceContextTextMapPropagator().extract(dict(event.headers)),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    )


def current_span_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span, in hex; None without OpenTelemetry or outside a span."""
    if trace is None:
        return None
    context = trace.get_current_span().get_span_context()
    return (f"{context.trace_id:032x}", f"{context.span_id:016x}") if context.is_valid else None
