"""Writer schemas fetched from the producer's `GET /v1/schemas/{fingerprint}`, checked and cached."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from eventing.released_schemas import RELEASED_DIR_NAME, load_released
from items_events.errors import UnknownSchema
from items_events.schemas import KnownWriterSchemas
from items_events.writer_schemas import FetchingWriterSchemas, SchemaServiceUnavailable
from tests.events import registry
from wiring.messaging import SCHEMAS_DIR

CREATED = registry().writer("items.v1.ItemCreated")
UPDATED = registry().writer("items.v1.ItemUpdated")
BROKEN = "00000000000000ff"


class SchemaEndpoint(BaseHTTPRequestHandler):
    """Serves ItemCreated right, ItemUpdated under a wrong fingerprint, 500 for BROKEN, else 404."""

    served: list[str] = []

    def do_GET(self) -> None:
        fingerprint = self.path.rsplit("/", 1)[-1]
        self.served.append(fingerprint)
        documents = {CREATED.fingerprint_hex: CREATED.document, BROKEN[::-1]: UPDATED.document}
        if fingerprint == BROKEN:
            self.send_error(500)
        elif fingerprint in documents:
            body = json.dumps(documents[fingerprint]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *_args: object) -> None:
        pass  # keep the test output quiet


@pytest.fixture
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SchemaEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SchemaEndpoint.served = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_schema_is_fetched_once_then_cached(base_url: str) -> None:
    schemas = FetchingWriterSchemas(base_url)
    assert schemas.by_fingerprint(CREATED.fingerprint).canonical_form == CREATED.canonical_form
    assert schemas.by_fingerprint(CREATED.fingerprint_hex).full_name == "items.v1.ItemCreated"
    assert SchemaEndpoint.served == [CREATED.fingerprint_hex]


def test_unknown_or_mismatched_schemas_are_unknown_and_outages_are_not(base_url: str) -> None:
    schemas = FetchingWriterSchemas(base_url)
    with pytest.raises(UnknownSchema):
        schemas.by_fingerprint("0123456789abcdef")  # 404: dead-lettered
    with pytest.raises(UnknownSchema, match="has the fingerprint"):
        schemas.by_fingerprint(BROKEN[::-1])  # served, but not what was asked for
    with pytest.raises(SchemaServiceUnavailable):
        schemas.by_fingerprint(BROKEN)  # 500: the message waits
    with pytest.raises(SchemaServiceUnavailable):
        FetchingWriterSchemas("http://127.0.0.1:9").by_fingerprint(CREATED.fingerprint)


def test_writer_schemas_kept_as_files_are_found_by_fingerprint() -> None:
    paths = [SCHEMAS_DIR / f"{schema.full_name}.avsc" for schema in registry().schemas()]
    paths += sorted((SCHEMAS_DIR / RELEASED_DIR_NAME).rglob("v*.avsc"))
    known = KnownWriterSchemas.from_files(paths)
    released = [
        version.schema for versions in load_released(SCHEMAS_DIR / RELEASED_DIR_NAME).values() for version in versions
    ]
    assert released, "no released schema to check"
    for schema in [*registry().schemas(), *released]:
        assert known.by_fingerprint(schema.fingerprint).full_name == schema.full_name
