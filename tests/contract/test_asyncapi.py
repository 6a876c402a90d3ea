"""The AsyncAPI document: generated from the registry and topology, valid for the official parser, served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from eventing.asyncapi import AVRO_SCHEMA_FORMAT, build_asyncapi
from eventing.item_events import CONTENT_TYPE, ITEM_EVENT_CLASSES
from eventing.schema_registry import SchemaRegistry
from relay.topology import Topology
from tests.contract.external_tools import parse_asyncapi

CE_HEADERS = {"ce-specversion", "ce-id", "ce-source", "ce-type", "ce-time", "ce-subject", "ce-dataschema"}


def generated(registry: SchemaRegistry) -> dict[str, Any]:
    return build_asyncapi(registry, Topology("items"), "1.0.0", "amqp://user:secret@broker.internal:5672/%2F")


def test_there_is_a_channel_and_a_send_operation_per_routing_key(registry: SchemaRegistry) -> None:
    document = generated(registry)
    assert document["asyncapi"] == "3.0.0"
    for event in ITEM_EVENT_CLASSES:
        channel = document["channels"][event.routing_key]
        assert channel["address"] == event.routing_key
        amqp = channel["bindings"]["amqp"]
        assert amqp["is"] == "routingKey"
        assert amqp["exchange"] == {"name": "items", "type": "topic", "durable": True, "autoDelete": False}
        operation = document["operations"][f"publish{event.type_name}"]
        assert operation["action"] == "send"
        assert operation["channel"] == {"$ref": f"#/channels/{event.routing_key}"}
        assert operation["bindings"]["amqp"]["deliveryMode"] == 2
    unrouted = document["channels"]["unrouted"]
    assert unrouted["address"] == "items.unrouted" and unrouted["bindings"]["amqp"]["is"] == "queue"


def test_messages_carry_the_avro_schema_and_the_cloudevents_headers(registry: SchemaRegistry) -> None:
    messages = generated(registry)["components"]["messages"]
    for schema in registry.schemas():
        message = messages[schema.event_type]
        assert message["contentType"] == CONTENT_TYPE
        payload = message["payload"]
        assert payload["schemaFormat"] == AVRO_SCHEMA_FORMAT == "application/vnd.apache.avro;version=1.9.0"
        assert f"{payload['schema']['namespace']}.{payload['schema']['name']}" == schema.full_name
        headers = message["headers"]
        assert set(headers["required"]) == set(headers["properties"]) == CE_HEADERS
        assert headers["properties"]["ce-type"]["const"] == schema.full_name


def test_the_server_is_named_without_credentials(registry: SchemaRegistry) -> None:
    server = generated(registry)["servers"]["broker"]
    assert server == {"host": "broker.internal:5672", "protocol": "amqp", "protocolVersion": "0.9.1"}
    assert "secret" not in yaml.safe_dump(generated(registry))


def test_the_official_parser_accepts_the_generated_document(registry: SchemaRegistry, tmp_path: Path) -> None:
    path = tmp_path / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(generated(registry), sort_keys=False), encoding="utf-8")
    result = parse_asyncapi(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    assert "4 channel(s)" in result.stdout


def test_the_parser_script_rejects_an_invalid_document(registry: SchemaRegistry, tmp_path: Path) -> None:
    broken = generated(registry)
    broken["components"]["messages"]["ItemCreated"]["payload"]["schema"]["type"] = "no-such-avro-type"
    path = tmp_path / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = parse_asyncapi(path)
    assert result.returncode == 1 and "Error" in result.stdout, result.stdout + result.stderr


def test_the_served_yaml_is_the_generated_document(client: Any, registry: SchemaRegistry) -> None:
    response = client.get("/asyncapi.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    served = yaml.safe_load(response.text)
    assert served == build_asyncapi(registry, Topology("items"), "1.0.0", "amqp://guest:guest@127.0.0.1:5672/%2F")
    assert "guest" not in response.text
