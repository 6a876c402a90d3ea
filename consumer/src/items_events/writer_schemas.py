"""Writer schemas fetched once each from the producer: `GET {schemas_url}/{fingerprint}`.

Each schema is downloaded on first sight of its fingerprint, checked against that
fingerprint, and kept for good: a fingerprint names one binary layout forever.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from fastavro.schema import SchemaParseException

from items_events.errors import UnknownSchema
from items_events.schemas import KnownWriterSchemas, RegisteredSchema, fingerprint_hex

FETCH_TIMEOUT_S = 5.0
HTTP_NOT_FOUND = 404


class SchemaServiceUnavailable(ConnectionError):
    """The schema endpoint could not answer; the message is fine, so it waits rather than being dead-lettered."""


class FetchingWriterSchemas:
    """Asks the producer's schema endpoint for any fingerprint it has not seen yet.

    `schemas_url` is the collection every `ce-dataschema` header points into, e.g.
    `https://items.example.com/v1/schemas`.
    """

    def __init__(self, schemas_url: str, known: KnownWriterSchemas | None = None) -> None:
        self._schemas_url = schemas_url.rstrip("/")
        self._known = known or KnownWriterSchemas()

    def by_fingerprint(self, fingerprint: bytes | str) -> RegisteredSchema:
        try:
            return self._known.by_fingerprint(fingerprint)
        except UnknownSchema:
            pass
        wanted = fingerprint_hex(fingerprint)
        schema = _registered(self._download(wanted), wanted)
        # Never trust a document for a fingerprint it does not have: it would misread every byte.
        if schema.fingerprint_hex != wanted:
            raise UnknownSchema(f"the schema served for {wanted} has the fingerprint {schema.fingerprint_hex}")
        self._known.add(schema)
        return schema

    def _download(self, fingerprint: str) -> bytes:
        url = f"{self._schemas_url}/{fingerprint}"
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310 - configured URL
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            if exc.code == HTTP_NOT_FOUND:
                raise UnknownSchema(f"the producer knows no schema {fingerprint}") from exc
            raise SchemaServiceUnavailable(f"{url} answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SchemaServiceUnavailable(f"{url} unreachable: {exc}") from exc


def _registered(document: bytes, fingerprint: str) -> RegisteredSchema:
    # A malformed answer is the producer's bug: dead-letter the message, to redrive once fixed.
    try:
        return RegisteredSchema.from_document(json.loads(document))
    except (ValueError, TypeError, KeyError, SchemaParseException) as exc:
        raise UnknownSchema(f"the schema served for {fingerprint} does not parse: {exc}") from exc
