"""The AsyncAPI 3.0 document of the item events, generated from the schema registry and the broker topology."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pika import DeliveryMode

from domain.events import ItemEvent
from eventing.asyncapi_headers import cloudevent_headers_schema
from eventing.avro_document import with_namespaces
from eventing.item_events import CONTENT_TYPE, ITEM_EVENT_CLASSES
from eventing.schema_registry import RegisteredSchema, SchemaRegistry
from relay.topology import EVENTS_EXCHANGE_TYPE, UNROUTED_QUEUE_ARGUMENTS, Topology

ASYNCAPI_VERSION = "3.0.0"
AVRO_SCHEMA_FORMAT = "application/vnd.apache.avro;version=1.9.0"
AMQP_BINDING_VERSION = "0.3.0"
AMQP_PROTOCOL_VERSION = "0.9.1"
SERVER_ID = "broker"
UNROUTED_CHANNEL_ID = "unrouted"
DESCRIPTION = """\
Every committed write to an item is published once to the durable topic exchange `{exchange}`,
with the routing key of its kind. Bind a queue with `item.*` for every event, or with one
routing key for one kind. An event no queue is bound for goes to the alternate exchange
`{unrouted}` and its queue instead of being dropped.

Delivery is at least once: deduplicate on `ce-id`. There is no global order; per item, apply
an event only if its `item.version` is above the one you hold. The body is Avro single-object
encoded (magic `C3 01`, the writer schema's 8-byte fingerprint, then the record); fetch an
unknown writer schema from its `ce-dataschema` URL.
"""


def build_asyncapi(
    registry: SchemaRegistry, topology: Topology, version: str, broker_url: str | None = None
) -> dict[str, Any]:
    """The whole document as plain data, ready for YAML or JSON; the broker's credentials are left out."""
    events = [(event, registry.writer(event.type_name)) for event in ITEM_EVENT_CLASSES]
    document: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Items service events",
            "version": version,
            "description": DESCRIPTION.format(exchange=topology.exchange, unrouted=topology.unrouted_exchange),
        },
        "defaultContentType": CONTENT_TYPE,
    }
    if broker_url:
        document["servers"] = {SERVER_ID: _server(broker_url)}
    document["channels"] = {event.routing_key: _channel(event, schema, topology) for event, schema in events}
    document["channels"][UNROUTED_CHANNEL_ID] = _unrouted_channel(topology, [s for _, s in events])
    document["operations"] = {f"publish{event.type_name}": _operation(event, schema) for event, schema in events}
    document["components"] = {"messages": {schema.event_type: _message(schema) for _, schema in events}}
    return document


def _server(broker_url: str) -> dict[str, Any]:
    url = urlsplit(broker_url)
    port = url.port or (5671 if url.scheme == "amqps" else 5672)
    return {"host": f"{url.hostname}:{port}", "protocol": url.scheme, "protocolVersion": AMQP_PROTOCOL_VERSION}


def _channel(event: type[ItemEvent], schema: RegisteredSchema, topology: Topology) -> dict[str, Any]:
    exchange = {"name": topology.exchange, "type": EVENTS_EXCHANGE_TYPE.value, "durable": True, "autoDelete": False}
    return {
        "address": event.routing_key,
        "title": f"{event.type_name} events",
        "description": f"Routing key `{event.routing_key}` on the exchange `{topology.exchange}`.",
        "messages": {schema.event_type: _message_ref(schema)},
        "bindings": {"amqp": {"is": "routingKey", "exchange": exchange, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def _unrouted_channel(topology: Topology, schemas: list[RegisteredSchema]) -> dict[str, Any]:
    queue = {"name": topology.unrouted_queue, "durable": True, "exclusive": False, "autoDelete": False}
    return {
        "address": topology.unrouted_queue,
        "title": "Unrouted events",
        "description": f"The {UNROUTED_QUEUE_ARGUMENTS.get('x-queue-type', 'classic')} queue bound to the "
        f"fanout exchange `{topology.unrouted_exchange}`, the alternate exchange of `{topology.exchange}`: "
        "it keeps every event that no queue was bound for.",
        "messages": {schema.event_type: _message_ref(schema) for schema in schemas},
        "bindings": {"amqp": {"is": "queue", "queue": queue, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def _operation(event: type[ItemEvent], schema: RegisteredSchema) -> dict[str, Any]:
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{_pointer(event.routing_key)}"},
        "title": f"Publish {event.type_name}",
        "summary": schema.document.get("doc", ""),
        "messages": [{"$ref": f"#/channels/{_pointer(event.routing_key)}/messages/{schema.event_type}"}],
        # Persistent, with publisher confirms; mandatory, though the alternate exchange takes the unroutable.
        "bindings": {
            "amqp": {
                "deliveryMode": DeliveryMode.Persistent.value,
                "mandatory": True,
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def _message(schema: RegisteredSchema) -> dict[str, Any]:
    return {
        "name": schema.full_name,
        "title": schema.event_type,
        "summary": schema.document.get("doc", ""),
        "contentType": CONTENT_TYPE,
        "headers": cloudevent_headers_schema(schema.full_name),
        "payload": {"schemaFormat": AVRO_SCHEMA_FORMAT, "schema": with_namespaces(schema.document)},
        "bindings": {"amqp": {"messageType": schema.event_type, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def _message_ref(schema: RegisteredSchema) -> dict[str, str]:
    return {"$ref": f"#/components/messages/{schema.event_type}"}


def _pointer(key: str) -> str:
    """A key as one JSON Pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
