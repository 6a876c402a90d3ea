"""Writer schemas by fingerprint: bundled with the consumer, or fetched once from `GET /v1/schemas/{fingerprint}`.

Bundled: the current schemas plus every released version, so that an old event (a
replay, a message that waited in a queue across a release) stays readable. Fetched:
what a service built outside this repository uses; each schema is downloaded on first
sight, checked against its fingerprint, and kept for good (a fingerprint names one
binary layout forever).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable

from fastavro import parse_schema
from fastavro.schema import SchemaParseException

from eventing.errors import UnknownSchema
from eventing.item_events import ITEM_EVENT_SCHEMAS, SCHEMAS_PATH
from eventing.released_schemas import RELEASED_DIR_NAME, load_released
from eventing.schema_registry import RegisteredSchema, SchemaRegistry
from wiring.messaging import SCHEMAS_DIR

FETCH_TIMEOUT_S = 5.0
HTTP_NOT_FOUND = 404


class SchemaServiceUnavailable(ConnectionError):
    """The schema endpoint could not answer; the message is fine, so it waits rather than being dead-lettered."""


class KnownWriterSchemas:
    """A fixed set of writer schemas, found by their 8 fingerprint bytes or 16 hex characters."""

    def __init__(self, schemas: Iterable[RegisteredSchema]) -> None:
        self._by_fingerprint = {schema.fingerprint_hex: schema for schema in schemas}

    @classmethod
    def bundled(cls) -> KnownWriterSchemas:
        """This repository's current schemas and all their released versions."""
        released = load_released(SCHEMAS_DIR / RELEASED_DIR_NAME)
        old = [version.schema for versions in released.values() for version in versions]
        return cls([*old, *SchemaRegistry.load(SCHEMAS_DIR, ITEM_EVENT_SCHEMAS).schemas()])

    def by_fingerprint(self, fingerprint: bytes | str) -> RegisteredSchema:
        key = fingerprint.hex() if isinstance(fingerprint, bytes) else fingerprint.lower()
        try:
            return self._by_fingerprint[key]
        except KeyError:
            raise UnknownSchema(f"unknown schema fingerprint {key}") from None

    def add(self, schema: RegisteredSchema) -> None:
        self._by_fingerprint[schema.fingerprint_hex] = schema


class FetchingWriterSchemas:
    """Asks the producer's schema endpoint for any fingerprint it has not seen yet."""

    def __init__(self, base_url: str, known: KnownWriterSchemas | None = None) -> None:
        self._schemas_url = base_url.rstrip("/") + SCHEMAS_PATH
        self._known = known or KnownWriterSchemas(())

    def by_fingerprint(self, fingerprint: bytes | str) -> RegisteredSchema:
        try:
            return self._known.by_fingerprint(fingerprint)
        except UnknownSchema:
            pass
        wanted = fingerprint.hex() if isinstance(fingerprint, bytes) else fingerprint
        schema = _registered(self._download(wanted), wanted)
        # Never trust a document for a fingerprint it does not have: it would misread every byte.
        if schema.fingerprint_hex != wanted:
            raise UnknownSchema(f"the schema served for {wanted} has the fingerprint {schema.fingerprint_hex}")
        self._known.add(schema)
        return schema

    def _download(self, fingerprint_hex: str) -> bytes:
        url = f"{self._schemas_url}/{fingerprint_hex}"
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310 - configured URL
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            if exc.code == HTTP_NOT_FOUND:
                raise UnknownSchema(f"the producer knows no schema {fingerprint_hex}") from exc
            raise SchemaServiceUnavailable(f"{url} answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SchemaServiceUnavailable(f"{url} unreachable: {exc}") from exc


def _registered(document: bytes, fingerprint_hex: str) -> RegisteredSchema:
    # A malformed answer is the producer's bug: dead-letter the message, to redrive once fixed.
    try:
        parsed = parse_schema(json.loads(document))
    except (ValueError, TypeError, KeyError, SchemaParseException) as exc:
        raise UnknownSchema(f"the schema served for {fingerprint_hex} does not parse: {exc}") from exc
    if not isinstance(parsed, dict):
        raise UnknownSchema(f"the schema served for {fingerprint_hex} is not a record")
    return RegisteredSchema.from_parsed(parsed)
