"""The request id and W3C trace context of the work in progress, carried in contextvars."""

from __future__ import annotations

import re
import secrets
import uuid
from contextvars import ContextVar

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
