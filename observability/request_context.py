"""The request id and W3C trace context of the work in progress, carried in contextvars.

With tracing on, the current OpenTelemetry span is the trace context; off, `traceparent` holds
one made per request, so that log lines and events are still correlated.
"""

from __future__ import annotations

import re
import secrets
import uuid
from contextvars import ContextVar

from opentelemetry import trace

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)


def accept_request_id(header: str | None) -> str:
    """The caller's X-Request-ID when it is sane, else a new one."""
    return header if header and _REQUEST_ID.match(header) else uuid.uuid4().hex


def child_traceparent(header: str | None) -> str:
    """Continue the caller's trace with a new span id, or start a trace (W3C Trace Context)."""
    match = _TRACEPARENT.match(header or "")
    trace_id = match.group(1) if match and match.group(1) != "0" * 32 else secrets.token_hex(16)
    flags = match.group(3) if match else "01"
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


def trace_id_of(value: str | None) -> str | None:
    match = _TRACEPARENT.match(value or "")
    return match.group(1) if match else None


def span_traceparent(span: trace.Span) -> str | None:
    """The W3C `traceparent` of an OpenTelemetry span; None for the invalid (non-recording) one."""
    context = span.get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def current_span_traceparent() -> str | None:
    """The current OpenTelemetry span's `traceparent`; None while tracing is off or outside any span."""
    return span_traceparent(trace.get_current_span())


def current_traceparent() -> str | None:
    """The current span's `traceparent` when tracing is on, else the one made for this request."""
    return current_span_traceparent() or traceparent.get()


def current_ids() -> tuple[str | None, str | None]:
    """(trace id, span id) of the work in progress, for log lines."""
    match = _TRACEPARENT.match(current_traceparent() or "")
    return (match.group(1), match.group(2)) if match else (None, None)
