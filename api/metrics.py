"""The Prometheus scrape endpoint."""

from __future__ import annotations

from flask import Response

from observability.metrics import exposition


def scrape() -> Response:
    body, content_type = exposition()
    return Response(body, 200, content_type=content_type)
