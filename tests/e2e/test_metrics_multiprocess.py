"""Under gunicorn, /metrics sums every worker's samples (prometheus-client multiprocess mode)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.e2e.live_server import live_server

REQUESTS = 60
LIVE_COUNT = re.compile(r'http_requests_total\{method="GET",operation="api.health.live",status="200"\} (\S+)')


def fresh_get(url: str) -> httpx.Response:
    """A new connection per request, so that both workers take some."""
    return httpx.get(url, headers={"Connection": "close"})


@pytest.mark.slow
def test_request_counts_add_up_across_workers(sqlite_url: str, tmp_path: Path) -> None:
    with live_server(sqlite_url, tmp_path / "server.log", workers=2) as base_url:
        for _ in range(REQUESTS):
            fresh_get(f"{base_url}/health/live").raise_for_status()
        scrapes = [fresh_get(f"{base_url}/metrics").text for _ in range(6)]
    counts = [LIVE_COUNT.search(text) for text in scrapes]
    assert all(counts), scrapes[0][:3000]
    assert {float(match.group(1)) for match in counts if match} == {float(REQUESTS)}
