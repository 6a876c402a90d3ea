"""Before the service is measured: it must still validate requests by its spec, as shipped."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping

from bench.servers import RunningServer

INVALID_ITEM = {"sku": "not a valid sku", "name": "Bench probe", "price": {"amount_minor": 1, "currency": "EUR"}}
"""Breaks only the spec's sku pattern, so only the spec's validation refuses it."""
PROBLEM_TYPE = "application/problem+json"


class NotAsShipped(RuntimeError):
    """The server measured is not the service as shipped: its figures would mean nothing."""


def check_validates_requests(server: RunningServer, headers: Mapping[str, str]) -> None:
    """A body the spec forbids must get a 400 problem, never a 201."""
    request = urllib.request.Request(
        f"{server.base_url}/v1/items",
        data=json.dumps(INVALID_ITEM).encode(),
        headers={**headers, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, content_type = response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        status, content_type = error.code, error.headers.get("Content-Type", "")
    if status != 400 or not content_type.startswith(PROBLEM_TYPE):
        raise NotAsShipped(
            f"{server.spec.name}: a POST against the spec's sku pattern got {status} {content_type!r}, "
            f"not 400 {PROBLEM_TYPE}: request validation is not on"
        )
