"""GET /v1/schemas and /v1/schemas/{fingerprint}: every schema a `ce-dataschema` URL can name."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastavro import parse_schema
from fastavro.schema import fingerprint, to_parsing_canonical_form
from injector import Binder, Module
from sqlalchemy import Engine, select

from adapters.tables import outbox
from app import create_app
from eventing.released_schemas import ReleasedSchema
from eventing.schema_registry import SchemaRegistry
from items_events.schemas import RegisteredSchema
from providers.schema_catalog import SchemaCatalog
from settings import Settings
from wiring.contract import ContractModule

ITEM = {"sku": "MUG-1", "name": "Mug", "price": {"amount_minor": 900, "currency": "EUR"}}


def fingerprint_of(document: dict[str, Any]) -> str:
    return str(fingerprint(to_parsing_canonical_form(parse_schema(document)), "CRC-64-AVRO"))


def older_item_created(registry: SchemaRegistry) -> RegisteredSchema:
    """ItemCreated as it might have been released before `tags` existed."""
    document = copy.deepcopy(registry.writer("items.v1.ItemCreated").document)
    state = document["fields"][0]["type"]
    state["fields"] = [field for field in state["fields"] if field["name"] != "tags"]
    return RegisteredSchema.from_parsed(parse_schema(document))


def test_the_list_names_every_current_schema_with_its_url(client: Any, registry: SchemaRegistry) -> None:
    response = client.get("/v1/schemas")
    assert response.status_code == 200
    listed = {entry["fingerprint"]: entry for entry in response.json()["schemas"]}
    for schema in registry.schemas():
        entry = listed[schema.fingerprint_hex]
        assert entry["full_name"] == schema.full_name and entry["event_type"] == schema.event_type
        assert entry["current"] is True and entry["version"] >= 1
        assert entry["href"] == f"http://127.0.0.1:8080/v1/schemas/{schema.fingerprint_hex}"


def test_an_events_dataschema_url_serves_its_writer_schema(client: Any, engine: Engine) -> None:
    assert client.post("/v1/items", json=ITEM).status_code == 201
    with engine.connect() as connection:
        headers = connection.execute(select(outbox.c.headers)).scalar_one()
    path = headers["ce-dataschema"].removeprefix("http://127.0.0.1:8080")
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "max-age" in response.headers["cache-control"]
    document = response.json()
    assert fingerprint_of(document) == path.rsplit("/", 1)[1]
    assert (document["namespace"], document["name"]) == ("items.v1", "ItemCreated")
    assert "doc" in document  # the full document, not the canonical form


def test_every_listed_schema_is_served_with_its_fingerprint(client: Any) -> None:
    for entry in client.get("/v1/schemas").json()["schemas"]:
        assert fingerprint_of(client.get(f"/v1/schemas/{entry['fingerprint']}").json()) == entry["fingerprint"]


def test_released_versions_stay_listed_and_served(settings: Settings, registry: SchemaRegistry) -> None:
    old = older_item_created(registry)
    catalog = SchemaCatalog(registry, {old.full_name: [ReleasedSchema(1, old)]}, "https://items.example/v1/schemas")

    class OldSchemas(Module):
        def configure(self, binder: Binder) -> None:
            binder.bind(SchemaCatalog, to=catalog)

    with create_app(settings, overrides=[ContractModule(), OldSchemas()]).test_client() as client:
        listed = client.get("/v1/schemas").json()["schemas"]
        served = client.get(f"/v1/schemas/{old.fingerprint_hex}")
    created = [entry for entry in listed if entry["event_type"] == "ItemCreated"]
    assert [(entry["version"], entry["current"]) for entry in created] == [(1, False), (None, True)]
    assert created[0]["href"] == f"https://items.example/v1/schemas/{old.fingerprint_hex}"
    assert served.status_code == 200 and fingerprint_of(served.json()) == old.fingerprint_hex
    assert "tags" not in str(served.json())


@pytest.mark.parametrize("fingerprint_hex", ["0000000000000000", "ffffffffffffffff"])
def test_an_unknown_fingerprint_is_a_404_problem(client: Any, fingerprint_hex: str) -> None:
    response = client.get(f"/v1/schemas/{fingerprint_hex}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/schema-not-found")


@pytest.mark.parametrize("malformed", ["59312c72331f799", "59312C72331F7996", "not-hex-at-all!!"])
def test_a_malformed_fingerprint_is_a_400_problem(client: Any, malformed: str) -> None:
    response = client.get(f"/v1/schemas/{malformed}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_schemas_need_no_token(app: Any) -> None:
    with app.test_client() as anonymous:
        assert anonymous.get("/v1/schemas").status_code == 200
        assert anonymous.get("/asyncapi.yaml").status_code == 200
