"""The OpenAPI document as clients get it: the authored file, `$ref`s kept, pointing at this deployment."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SPEC_JSON_PATH = "/openapi.json"
SPEC_YAML_PATH = "/openapi.yaml"


def published_spec(spec: Mapping[str, Any], base_url: str, token_url: str | None = None) -> dict[str, Any]:
    """The authored document with this deployment's server, and its token endpoint in every OAuth 2 flow."""
    published = copy.deepcopy(dict(spec))
    published["servers"] = [{"url": base_url.rstrip("/")}]
    if token_url:
        for flow in _oauth2_flows(published):
            if "tokenUrl" in flow:
                flow["tokenUrl"] = token_url
    return published


def declared_scopes(spec: Mapping[str, Any]) -> list[str]:
    """Every scope the document's OAuth 2 flows declare, each once, in the order written."""
    scopes = [scope for flow in _oauth2_flows(spec) for scope in flow.get("scopes", {})]
    return list(dict.fromkeys(scopes))


def spec_document_routes(spec: Mapping[str, Any]) -> list[Route]:
    """GET routes serving `spec` as JSON and as YAML, each rendered once, here."""
    # default=str: YAML may have parsed a date (an `example:`, say) that JSON has no type for.
    as_json = json.dumps(spec, ensure_ascii=False, default=str)
    as_yaml = yaml.safe_dump(dict(spec), sort_keys=False, allow_unicode=True)
    return [
        _document_route(SPEC_JSON_PATH, as_json, "application/json"),
        _document_route(SPEC_YAML_PATH, as_yaml, "application/yaml"),
    ]


def _document_route(path: str, body: str, media_type: str) -> Route:
    encoded = body.encode()

    def serve(_request: Request) -> Response:
        # A new Response each time: middlewares may add headers to the one they are sent.
        return Response(encoded, media_type=media_type)

    return Route(path, serve, methods=["GET"])


def _oauth2_flows(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    schemes = spec.get("components", {}).get("securitySchemes", {}).values()
    return [flow for scheme in schemes if scheme.get("type") == "oauth2" for flow in scheme.get("flows", {}).values()]
