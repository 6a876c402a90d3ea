"""The AsyncAPI document: generated from the event catalog and the declarations, valid for the official parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from eventing.asyncapi import AVRO_SCHEMA_FORMAT, BrokerAddress, build_asyncapi
from items_events.config import ConsumerConfig
from items_events.queue_topology import queue_arguments
from items_events.single_object import CONTENT_TYPE
from settings import Settings
from tests.contract.external_tools import parse_asyncapi
from tests.events import SCHEMAS_URL, catalog

CE_HEADERS = {"ce-specversion", "ce-id", "ce-source", "ce-type", "ce-time", "ce-subject", "ce-dataschema"}
BROKER = "amqp://user:secret@broker.internal:5672/catalogue%2Fprod"
CLUSTER = ", ".join(f"amqp://user:secret@rabbit-{n}.internal:5672/catalogue%2Fprod" for n in range(3))


def generated(broker_url: str = BROKER) -> dict[str, Any]:
    return build_asyncapi(catalog(), "items", "1.0.0", BrokerAddress.every_node(broker_url), SCHEMAS_URL)


def test_there_is_a_channel_and_a_send_operation_per_routing_key() -> None:
    document = generated()
    assert document["asyncapi"] == "3.0.0"
    for event in catalog():
        channel = document["channels"][event.routing_key]
        assert channel["address"] == event.routing_key
        amqp = channel["bindings"]["amqp"]
        assert amqp["is"] == "routingKey"
        assert amqp["exchange"] == {
            "name": "items",
            "type": "topic",
            "durable": True,
            "autoDelete": False,
            "vhost": "catalogue/prod",
        }
        operation = document["operations"][f"publish{event.name}"]
        assert operation["action"] == "send"
        assert operation["channel"] == {"$ref": f"#/channels/{event.routing_key}"}
        assert operation["bindings"]["amqp"]["deliveryMode"] == 2


def test_the_consumer_queue_is_described_with_its_exact_declaration() -> None:
    channels = generated()["channels"]
    queue = channels["consumerQueue"]
    assert queue["address"] == "{queue}" and queue["bindings"]["amqp"]["queue"]["vhost"] == "catalogue/prod"
    for name, value in queue_arguments(ConsumerConfig(queue="{queue}")).items():
        assert f"`{name}: {value}`" in queue["description"]
    assert channels["deadLetterQueue"]["address"] == "{queue}.dlq"
    assert "unrouted" not in channels


def test_messages_carry_the_avro_schema_and_the_cloudevents_headers() -> None:
    messages = generated()["components"]["messages"]
    for event in catalog():
        message = messages[event.name]
        assert message["contentType"] == CONTENT_TYPE
        payload = message["payload"]
        assert payload["schemaFormat"] == AVRO_SCHEMA_FORMAT == "application/vnd.apache.avro;version=1.9.0"
        assert f"{payload['schema']['namespace']}.{payload['schema']['name']}" == event.full_name
        headers = message["headers"]
        assert set(headers["required"]) == set(headers["properties"]) == CE_HEADERS
        assert headers["properties"]["ce-type"]["const"] == event.full_name
        assert SCHEMAS_URL in headers["properties"]["ce-dataschema"]["description"]


def test_the_server_names_host_and_vhost_without_credentials() -> None:
    server = generated()["servers"]["broker"]
    assert server["host"] == "broker.internal:5672" and server["protocol"] == "amqp"
    assert server["pathname"] == "/catalogue%2Fprod" and "`catalogue/prod`" in server["description"]
    assert "secret" not in yaml.safe_dump(generated())
    assert generated("amqp://guest:guest@127.0.0.1:5672/%2F")["servers"]["broker"]["pathname"] == "/%2F"
    assert generated("amqp://rabbit.example")["servers"]["broker"]["pathname"] == "/%2F"


def test_a_cluster_is_one_server_per_node_in_the_given_order() -> None:
    servers = generated(CLUSTER)["servers"]
    assert list(servers) == ["broker-1", "broker-2", "broker-3"]
    assert [server["host"] for server in servers.values()] == [f"rabbit-{n}.internal:5672" for n in range(3)]
    assert {server["pathname"] for server in servers.values()} == {"/catalogue%2Fprod"}
    assert "secret" not in yaml.safe_dump(generated(CLUSTER))


@pytest.mark.parametrize("broker", [BROKER, CLUSTER], ids=["one-node", "cluster"])
def test_the_official_parser_accepts_the_generated_document(tmp_path: Path, broker: str) -> None:
    path = tmp_path / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(generated(broker), sort_keys=False), encoding="utf-8")
    result = parse_asyncapi(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    assert f"{len(list(catalog())) + 2} channel(s)" in result.stdout


def test_the_parser_script_rejects_an_invalid_document(tmp_path: Path) -> None:
    broken = generated()
    broken["components"]["messages"]["ItemCreated"]["payload"]["schema"]["type"] = "no-such-avro-type"
    path = tmp_path / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = parse_asyncapi(path)
    assert result.returncode == 1 and "Error" in result.stdout, result.stdout + result.stderr


def test_the_served_document_names_the_public_broker(client: Any, settings: Settings) -> None:
    response = client.get("/asyncapi.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    served = yaml.safe_load(response.text)
    expected = build_asyncapi(
        catalog(), "items", "1.0.0", BrokerAddress.every_node(settings.amqp_url), "http://127.0.0.1:8080/v1/schemas"
    )
    assert served == expected
    assert "guest" not in response.text
