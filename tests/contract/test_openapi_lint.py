"""The OpenAPI document, as written and as served, passes openapi-spec-validator and Spectral with no finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from app import SPEC_PATH, load_spec
from tests.contract.external_tools import spectral

SERVED = ["/openapi.json", "/openapi.yaml"]


def served_document(client: Any, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200
    return dict(yaml.safe_load(response.text))  # YAML reads JSON too


def test_the_file_is_valid_openapi() -> None:
    validate(load_spec())


@pytest.mark.parametrize("path", SERVED)
def test_the_served_document_is_valid_openapi(sqlite_client: Any, path: str) -> None:
    validate(served_document(sqlite_client, path))


def test_spectral_finds_nothing_in_the_file_or_the_served_documents(sqlite_client: Any, tmp_path: Path) -> None:
    documents = [SPEC_PATH]
    for path in SERVED:
        copy = tmp_path / path.lstrip("/")
        copy.write_text(sqlite_client.get(path).text, encoding="utf-8")
        documents.append(copy)
    result = spectral(*documents)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    findings = json.loads(result.stdout)
    assert findings == [], "\n".join(f"{f['source']}: {f['code']} at {f['path']}: {f['message']}" for f in findings)
