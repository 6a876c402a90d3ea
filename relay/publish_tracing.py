"""A producer span per published event, continuing the trace of the write that stored it.

The outbox row keeps the `traceparent` of the HTTP request's span; the span of its publish is a
child of that one, so one write is one trace however long the event waited in the outbox, and the
message carries the publish span's own context on to consumers. Attributes follow the
OpenTelemetry messaging conventions for RabbitMQ, plus the CloudEvents type and subject.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pika import BasicProperties
from pika.channel import Channel

from adapters.outbox_rows import PendingEvent
from items_events.cloudevents import SUBJECT_HEADER, TYPE_HEADER
from observability.tracing import tracing_requested

OPERATION = "send"
_W3C = TraceContextTextMapPropagator()


class PublishTracing:
    """`sending(event, properties)` wraps one `basic_publish`; it sets the message's trace headers."""

    def __init__(self, exchange: str) -> None:
        self._exchange = exchange
        self._tracer = trace.get_tracer(__name__)
        self._server: dict[str, str | int] = {}

    @classmethod
    def if_requested(cls, exchange: str) -> PublishTracing | None:
        """None when tracing is off: the publisher then calls nothing of OpenTelemetry."""
        return cls(exchange) if tracing_requested() else None

    def connected(self, channel: Channel) -> None:
        params = channel.connection.params
        self._server = {"server.address": params.host, "server.port": params.port}

    @contextmanager
    def sending(self, event: PendingEvent, properties: BasicProperties) -> Iterator[None]:
        attributes = {
            "messaging.system": "rabbitmq",
            "messaging.operation.type": OPERATION,
            "messaging.operation.name": OPERATION,
            "messaging.destination.name": self._exchange,
            "messaging.rabbitmq.destination.routing_key": event.routing_key,
            "messaging.message.id": str(event.event_id),
            "messaging.message.body.size": len(event.payload),
            "cloudevents.event_type": event.headers.get(TYPE_HEADER, event.event_type),
            "cloudevents.event_subject": event.headers.get(SUBJECT_HEADER, ""),
            **self._server,
        }
        with self._tracer.start_as_current_span(
            f"{OPERATION} {self._exchange}", context=_W3C.extract(event.headers), kind=SpanKind.PRODUCER,
            attributes=attributes,
        ):  # fmt: skip
            headers = dict(event.headers)
            _W3C.inject(headers)  # replaces the write's traceparent: consumers continue from the publish
            properties.headers = headers
            yield
