"""The broker topology is stated the same way everywhere: relay, AsyncAPI, compose and Kubernetes definitions."""

from __future__ import annotations

import json
from typing import Any

from eventing.asyncapi import BrokerAddress, build_asyncapi
from relay.topology import Topology
from settings import PROJECT_ROOT
from tests.deploy.artifacts import COMPOSE_FILE, yaml_documents
from tests.events import SCHEMAS_URL, catalog

DEFINITIONS = PROJECT_ROOT / "deploy" / "rabbitmq" / "definitions.json"
K8S_DEFINITIONS = PROJECT_ROOT / "deploy" / "k8s" / "rabbitmq-definitions.yaml"
EXCHANGE = "items"


def as_declared(definition: dict[str, Any]) -> dict[str, Any]:
    """A RabbitMQ definitions entry in the terms of a pika `exchange_declare`."""
    assert definition["auto_delete"] is False and definition["internal"] is False
    assert definition["arguments"] == {}, "the events exchange has no arguments, so any client can declare it"
    return {"exchange": definition["name"], "exchange_type": definition["type"], "durable": definition["durable"]}


def exchanges(definitions: dict[str, Any]) -> list[dict[str, Any]]:
    assert set(definitions) <= {"vhosts", "exchanges"}, "no users, queues or policies: only the events topology"
    return [as_declared(exchange) for exchange in definitions["exchanges"]]


def test_compose_and_kubernetes_state_what_the_relay_declares() -> None:
    relay = [arguments for _method, arguments in Topology(EXCHANGE).declarations()]
    compose_definitions = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    (config_map,) = yaml_documents(K8S_DEFINITIONS)
    k8s_definitions = json.loads(config_map["data"]["definitions.json"])
    assert exchanges(compose_definitions) == exchanges(k8s_definitions) == relay
    assert k8s_definitions == compose_definitions


def test_compose_imports_the_definitions_into_the_broker() -> None:
    rabbitmq = yaml_documents(COMPOSE_FILE)[0]["services"]["rabbitmq"]
    (mount,) = rabbitmq["configs"]
    (hook,) = rabbitmq["post_start"]
    assert f"import_definitions {mount['target']}" in " ".join(hook["command"])
    source = yaml_documents(COMPOSE_FILE)[0]["configs"][mount["source"]]["file"]
    assert (COMPOSE_FILE.parent / source).resolve() == DEFINITIONS


def test_the_asyncapi_document_declares_the_exchange_the_same_way() -> None:
    document = build_asyncapi(catalog(), EXCHANGE, "1", BrokerAddress.every_node("amqp://broker/%2F"), SCHEMAS_URL)
    for event in catalog():
        exchange = document["channels"][event.routing_key]["bindings"]["amqp"]["exchange"]
        declared = {"exchange": exchange["name"], "exchange_type": exchange["type"], "durable": exchange["durable"]}
        assert [declared] == [arguments for _method, arguments in Topology(EXCHANGE).declarations()]
        assert exchange["autoDelete"] is False
