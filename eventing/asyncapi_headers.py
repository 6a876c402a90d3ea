"""The `ce-*` message headers of an event as a JSON Schema, for the AsyncAPI document."""

from __future__ import annotations

from typing import Any

from eventing.cloudevent_headers import HEADER_PREFIX, SPEC_VERSION
from eventing.item_events import SCHEMAS_PATH

# Every CloudEvents attribute we send, in the order docs/events.md lists them.
_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "specversion": {"const": SPEC_VERSION, "description": "CloudEvents version."},
    "id": {
        "format": "uuid",
        "description": "Event id (a UUIDv7), equal to the AMQP `message_id` and the same on every "
        "redelivery or replay. Deduplicate on it.",
    },
    "source": {"format": "uri-reference", "description": "Who produced the event (`EVENT_SOURCE`)."},
    "type": {"description": "The full Avro name of the writer schema."},
    "time": {
        "format": "date-time",
        "description": "When the write happened: RFC 3339 in UTC with microseconds; equals `item.updated_at`.",
    },
    "subject": {"format": "uuid", "description": "The item id."},
    "dataschema": {
        "format": "uri",
        "description": f"URL of the writer schema: `PUBLIC_BASE_URL` + `{SCHEMAS_PATH}/` + its fingerprint "
        "(CRC-64-AVRO, lower-case hex of the 8 bytes after the body's magic).",
    },
}


def cloudevent_headers_schema(event_type: str) -> dict[str, Any]:
    """The headers of one kind of event; `ce-type` is fixed to `event_type`, e.g. `items.v1.ItemCreated`."""
    properties = {HEADER_PREFIX + name: {"type": "string", **attribute} for name, attribute in _ATTRIBUTES.items()}
    properties[HEADER_PREFIX + "type"]["const"] = event_type
    return {
        "type": "object",
        "description": "CloudEvents 1.0 context attributes in binary content mode; all values are strings.",
        "required": list(properties),
        "properties": properties,
    }
