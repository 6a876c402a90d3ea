"""The AsyncAPI 3.0 document of the events, generated from the event catalog and the broker declarations.

Every object a client declares is described with its exact declaration (type, durability,
arguments), taken from the same code that declares it: the events exchange, and the
quorum queue and dead-letter queue the consumer library gives each consumer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pika import DeliveryMode

from eventing.asyncapi_headers import cloudevent_headers_schema
from eventing.avro_document import with_namespaces
from eventing.event_catalog import EventCatalog, PublishedEvent
from items_events.broker_addresses import split_broker_urls
from items_events.config import ConsumerConfig
from items_events.queue_topology import QUORUM, exchange_declaration, queue_arguments
from items_events.single_object import CONTENT_TYPE

ASYNCAPI_VERSION = "3.0.0"
AVRO_SCHEMA_FORMAT = "application/vnd.apache.avro;version=1.9.0"
AMQP_BINDING_VERSION = "0.3.0"
AMQP_PROTOCOL_VERSION = "0.9.1"
SERVER_ID = "broker"
QUEUE_PLACEHOLDER = "{queue}"
DESCRIPTION = """\
Every committed write is published once to the durable topic exchange `{exchange}` on the
virtual host `{vhost}`, with the routing key of its kind. The exchange has no arguments:
declare it exactly so (`topic`, durable, not auto-deleted, no arguments), or passively.
Bind a queue of your own with a routing key per kind, or a pattern such as `item.*` or `#`.

An event that no queue is bound for is not kept by the broker: the producer keeps every
event in its outbox for its retention period and can replay it to one queue.

Delivery is at least once: deduplicate on `ce-id`. There is no global order; per resource,
apply an event only if its version is above the one you hold. The body is Avro
single-object encoded (magic `C3 01`, the writer schema's 8-byte fingerprint, then the
record); fetch an unknown writer schema from its `ce-dataschema` URL.
"""


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where consumers connect: host, port, scheme and virtual host; never the credentials."""

    host: str
    port: int
    scheme: str
    vhost: str

    @classmethod
    def from_url(cls, url: str) -> BrokerAddress:
        parts = urlsplit(url)
        port = parts.port or (5671 if parts.scheme == "amqps" else 5672)
        # An AMQP URL's path is the vhost, percent-encoded; an empty path means the default `/`.
        vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
        return cls(parts.hostname or "localhost", port, parts.scheme or "amqp", vhost)

    @classmethod
    def every_node(cls, urls: str) -> list[BrokerAddress]:
        """One address per URL of a broker URL setting (one node, or every node of a cluster)."""
        return [cls.from_url(url) for url in split_broker_urls(urls)]


def build_asyncapi(
    catalog: EventCatalog, exchange: str, version: str, brokers: Sequence[BrokerAddress], schemas_url: str
) -> dict[str, Any]:
    """The whole document as plain data, ready for YAML or JSON; one server per broker node."""
    events = list(catalog)
    broker = brokers[0]  # every node serves the same virtual host
    document: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Items service events",
            "version": version,
            "description": DESCRIPTION.format(exchange=exchange, vhost=broker.vhost),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": _servers(brokers),
        "channels": {event.routing_key: _event_channel(event, exchange, broker.vhost) for event in events},
        "operations": {f"publish{event.name}": _publish(event) for event in events},
        "components": {"messages": {event.name: _message(event, schemas_url) for event in events}},
    }
    document["channels"].update(_consumer_channels(events, exchange, broker.vhost))
    document["operations"]["consume"] = {
        "action": "receive",
        "channel": {"$ref": "#/channels/consumerQueue"},
        "title": "Consume from your own queue",
        "summary": "Manual acks, after the effect of the event is committed.",
        "messages": [{"$ref": f"#/channels/consumerQueue/messages/{event.name}"} for event in events],
        "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
    }
    return document


def _servers(brokers: Sequence[BrokerAddress]) -> dict[str, Any]:
    if len(brokers) == 1:
        return {SERVER_ID: _server(brokers[0], "RabbitMQ")}
    count = len(brokers)
    return {
        f"{SERVER_ID}-{number}": _server(broker, f"RabbitMQ, node {number} of a cluster of {count}")
        for number, broker in enumerate(brokers, start=1)
    }


def _server(broker: BrokerAddress, what: str) -> dict[str, Any]:
    return {
        "host": f"{broker.host}:{broker.port}",
        "pathname": "/" + quote(broker.vhost, safe=""),
        "protocol": broker.scheme,
        "protocolVersion": AMQP_PROTOCOL_VERSION,
        "description": f"{what}, virtual host `{broker.vhost}` (the URL's path, percent-encoded).",
    }


def _exchange(exchange: str, vhost: str) -> dict[str, Any]:
    _, declaration = exchange_declaration(exchange)
    return {
        "name": exchange,
        "type": declaration["exchange_type"],
        "durable": declaration["durable"],
        "autoDelete": False,
        "vhost": vhost,
    }


def _event_channel(event: PublishedEvent, exchange: str, vhost: str) -> dict[str, Any]:
    return {
        "address": event.routing_key,
        "title": f"{event.name} events",
        "description": f"Routing key `{event.routing_key}` on the exchange `{exchange}` (topic, durable, "
        "no arguments).",
        "messages": {event.name: _message_ref(event)},
        "bindings": {
            "amqp": {"is": "routingKey", "exchange": _exchange(exchange, vhost), "bindingVersion": AMQP_BINDING_VERSION}
        },
    }


def _consumer_channels(events: list[PublishedEvent], exchange: str, vhost: str) -> dict[str, Any]:
    template = ConsumerConfig(queue=QUEUE_PLACEHOLDER, exchange=exchange)
    parameters = {"queue": {"description": "Your service's name; one queue per consuming service."}}

    def queue(name: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
        listed = ", ".join(f"`{key}: {value}`" for key, value in arguments.items())
        return {
            "is": "queue",
            "queue": {"name": name, "durable": True, "exclusive": False, "autoDelete": False, "vhost": vhost},
            "bindingVersion": AMQP_BINDING_VERSION,
        }, listed

    queue_binding, queue_args = queue(template.queue, queue_arguments(template))
    dlq_binding, dlq_args = queue(template.dead_letter_queue, QUORUM)
    return {
        "consumerQueue": {
            "address": template.queue,
            "title": "Your queue",
            "description": f"Declared durable with the arguments {queue_args}, and bound to `{exchange}` with "
            "the routing keys you want. The consumer library (`items-events`) declares it exactly so.",
            "parameters": parameters,
            "messages": {event.name: _message_ref(event) for event in events},
            "bindings": {"amqp": queue_binding},
        },
        "deadLetterQueue": {
            "address": template.dead_letter_queue,
            "title": "Your dead-letter queue",
            "description": f"Declared durable with {dlq_args}, bound to the direct exchange "
            f"`{template.dead_letter_exchange_name}` (durable) with the routing key `{template.queue}`: "
            "it receives what your queue rejects or gives up on.",
            "parameters": parameters,
            "messages": {event.name: _message_ref(event) for event in events},
            "bindings": {"amqp": dlq_binding},
        },
    }


def _publish(event: PublishedEvent) -> dict[str, Any]:
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{_pointer(event.routing_key)}"},
        "title": f"Publish {event.name}",
        "summary": event.schema.document.get("doc", ""),
        "messages": [{"$ref": f"#/channels/{_pointer(event.routing_key)}/messages/{event.name}"}],
        # Persistent and mandatory, with publisher confirms.
        "bindings": {
            "amqp": {
                "deliveryMode": DeliveryMode.Persistent.value,
                "mandatory": True,
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def _message(event: PublishedEvent, schemas_url: str) -> dict[str, Any]:
    schema = event.schema
    return {
        "name": schema.full_name,
        "title": event.name,
        "summary": schema.document.get("doc", ""),
        "contentType": CONTENT_TYPE,
        "headers": cloudevent_headers_schema(schema.full_name, schemas_url),
        "payload": {"schemaFormat": AVRO_SCHEMA_FORMAT, "schema": with_namespaces(schema.document)},
        "bindings": {"amqp": {"messageType": schema.full_name, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def _message_ref(event: PublishedEvent) -> dict[str, str]:
    return {"$ref": f"#/components/messages/{event.name}"}


def _pointer(key: str) -> str:
    """A key as one JSON Pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
