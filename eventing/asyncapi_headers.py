"""The `ce-*` message headers of an event as a JSON Schema, for the AsyncAPI document."""

from __future__ import annotations

from typing import Any

from items_events.cloudevents import HEADER_PREFIX, SPEC_VERSION

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
        "description": "When the write happened: RFC 3339 in UTC with microseconds.",
    },
    "subject": {"format": "uuid", "description": "The id of the resource the event is about."},
}
_DATASCHEMA = (
    "URL of the writer schema: `{schemas_url}/` + its fingerprint "
    "(CRC-64-AVRO, lower-case hex of the 8 bytes after the body's magic)."
)


def cloudevent_headers_schema(event_type: str, schemas_url: str) -> dict[str, Any]:
    """The headers of one kind of event; `ce-type` is fixed to `event_type`, e.g. `items.v1.ItemCreated`."""
    dataschema = {"format": "uri", "description": _DATASCHEMA.format(schemas_url=schemas_url)}
    attributes = {**_ATTRIBUTES, "dataschema": dataschema}
    properties = {HEADER_PREFIX + name: {"type": "string", **attribute} for name, attribute in attributes.items()}
    properties[HEADER_PREFIX + "type"]["const"] = event_type
    return {
        "type": "object",
        "description": "CloudEvents 1.0 context attributes in binary content mode; all values are strings.",
        "required": list(properties),
        "properties": properties,
    }
