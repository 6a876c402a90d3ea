"""CloudEvents 1.0 attributes as `ce-` message headers (binary content mode)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

SPEC_VERSION = "1.0"
HEADER_PREFIX = "ce-"
ID_HEADER = HEADER_PREFIX + "id"
TYPE_HEADER = HEADER_PREFIX + "type"
SUBJECT_HEADER = HEADER_PREFIX + "subject"
TIME_HEADER = HEADER_PREFIX + "time"
TRACEPARENT_HEADER = "traceparent"
"""The W3C trace context of the write, when the producer had one (not a CloudEvents attribute)."""


def rfc3339_utc(moment: datetime) -> str:
    """`2024-05-01T12:00:00.123456Z`; always microseconds, so the strings sort as the times do."""
    if moment.tzinfo is None:
        # A naive time would be read as local time here but as UTC by Avro; refuse the ambiguity.
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cloudevent_headers(
    *,
    event_id: UUID,
    source: str,
    event_type: str,
    time: datetime,
    subject: str,
    dataschema: str,
) -> dict[str, str]:
    """The context attributes of one event; the data content type travels as the message's content type."""
    attributes = {
        "specversion": SPEC_VERSION,
        "id": str(event_id),
        "source": source,
        "type": event_type,
        "time": rfc3339_utc(time),
        "subject": subject,
        "dataschema": dataschema,
    }
    return {HEADER_PREFIX + name: value for name, value in attributes.items()}
