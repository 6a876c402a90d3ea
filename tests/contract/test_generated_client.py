"""A client that openapi-python-client generates from the live /openapi.json runs the CRUD flow in its own types."""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from adapters.dev_signing_key import load_or_create_dev_secret
from api.dev_token_endpoint import dev_client_secret
from tests.conftest import migrate
from tests.contract.generated_client import PACKAGE, generate, imported
from tests.e2e.live_server import live_server

pytestmark = pytest.mark.slow
PROBLEMS = "https://items.example/problems/"


class Generated:
    """The live service, the document it served, what the generator said, and the generated package."""

    def __init__(self, spec: dict[str, Any], output: str, package: ModuleType, secret_file: Path) -> None:
        self.spec = spec
        self.output = output
        self.package = package
        self.models: Any = importlib.import_module(f"{PACKAGE}.models")
        types = importlib.import_module(f"{PACKAGE}.types")
        self.unset, self.UNSET = types.Unset, types.UNSET
        self.secret_file = secret_file

    def operation(self, name: str) -> Any:
        """The generated module of one operation, e.g. `items.api_items_create`."""
        return importlib.import_module(f"{PACKAGE}.api.{name}")

    def authenticated_client(self) -> Any:
        """The generated client with a token from the served `tokenUrl`, got as Swagger UI gets one."""
        server = self.spec["servers"][0]["url"]
        flow = self.spec["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
        secret = dev_client_secret(load_or_create_dev_secret(self.secret_file))
        response = httpx.post(
            urljoin(server + "/", flow["tokenUrl"]),
            data={"grant_type": "client_credentials"},
            auth=("generated-client", secret),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return self.package.AuthenticatedClient(base_url=server, token=response.json()["access_token"])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """One gunicorn on a database of its own, and one client generated from what it serves."""
    root = tmp_path_factory.mktemp("generated-client")
    database_url = f"sqlite:///{root / 'items.db'}"
    migrate(database_url)
    secret_file = root / "jwt-secret"
    with live_server(database_url, root / "server.log", AUTH_DEV_SECRET_FILE=str(secret_file)) as base_url:
        result = generate(f"{base_url}/openapi.json", root)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        spec = httpx.get(f"{base_url}/openapi.json", timeout=10).json()
        assert spec["servers"] == [{"url": base_url}]
        with imported(root) as package:
            yield Generated(spec, result.stdout + result.stderr, package, secret_file)


def test_the_generator_warns_only_of_the_yaml_document(generated: Generated) -> None:
    # It parses no application/yaml, so GET /asyncapi.yaml returns the raw body (`.content`) alone.
    warnings = re.findall(r"^WARNING parsing (.+)$", generated.output, re.MULTILINE)
    assert warnings == ["GET /asyncapi.yaml within events."], generated.output
    assert "Unsupported content_type application/yaml" in generated.output


def test_the_models_are_the_spec_components(generated: Generated) -> None:
    models = set(generated.models.__all__)
    components = set(generated.spec["components"]["schemas"])
    assert {"Item", "ItemInput", "ItemPatch", "ItemPage", "Money", "Problem"} <= models
    # Scalars (Sku, Tag, ...) make no model; every model is a component or a part of one (ItemPatchPrice).
    assert {name for name in models if not any(name.startswith(component) for component in components)} == set()


@pytest.fixture
def client(generated: Generated) -> Iterator[Any]:
    """The generated AuthenticatedClient, closed afterwards."""
    with generated.authenticated_client() as authenticated:
        yield authenticated


def test_the_whole_crud_flow_in_generated_types(generated: Generated, client: Any) -> None:
    models = generated.models
    create, read = generated.operation("items.api_items_create"), generated.operation("items.api_items_read")
    search, patch = generated.operation("items.api_items_search"), generated.operation("items.api_items_patch")
    remove, unset = generated.operation("items.api_items_remove"), generated.unset
    tag = f"oak-{uuid.uuid4().hex[:8]}"

    def item_input(sku: str, **fields: Any) -> Any:
        price = models.Money(amount_minor=12900, currency="EUR")
        return models.ItemInput(sku=f"{tag}-{sku}", name="Oak chair", price=price, tags=[tag], **fields)

    chair = item_input("chair", quantity=7, description="Solid oak")
    created = create.sync_detailed(client=client, body=chair, idempotency_key=f"{tag}-first")
    assert created.status_code == 201, created.content
    item = created.parsed
    assert isinstance(item, models.Item) and item.quantity == 7 and item.price.amount_minor == 12900
    replayed = create.sync_detailed(client=client, body=chair, idempotency_key=f"{tag}-first")
    assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.parsed.id == item.id

    got = read.sync_detailed(item.id, client=client)
    assert got.status_code == 200 and got.parsed == item
    etag = got.headers["ETag"]
    assert read.sync_detailed(item.id, client=client, if_none_match=etag).status_code == 304

    stool = create.sync_detailed(client=client, body=item_input("stool")).parsed
    assert stool.quantity == 0  # the spec's default
    table = create.sync_detailed(client=client, body=item_input("table", quantity=1)).parsed
    listed, cursor, pages = [], generated.UNSET, 0
    while cursor is not None and pages < 5:
        page = search.sync_detailed(client=client, tag=tag, limit=2, cursor=cursor).parsed
        assert isinstance(page, models.ItemPage)
        listed, cursor, pages = [*listed, *page.items], page.next_cursor, pages + 1
    assert [listed_item.id for listed_item in listed] == [item.id, stool.id, table.id] and pages == 2

    change = models.ItemPatch(name="Oiled oak chair", description=None)  # null removes, as RFC 7396 says
    patched = patch.sync_detailed(item.id, client=client, body=change, if_match=etag)
    assert patched.status_code == 200, patched.content
    assert patched.parsed.name == "Oiled oak chair" and isinstance(patched.parsed.description, unset)
    stale = patch.sync_detailed(item.id, client=client, body=models.ItemPatch(quantity=3), if_match=etag)
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem)
    assert stale.parsed.status == 412 and stale.parsed.type_ == PROBLEMS + "precondition-failed"

    deleted = remove.sync_detailed(item.id, client=client, if_match=patched.headers["ETag"])
    assert deleted.status_code == 204
    gone = read.sync_detailed(item.id, client=client)
    assert gone.status_code == 404 and isinstance(gone.parsed, models.Problem)
    assert gone.parsed.type_ == PROBLEMS + "item-not-found"
