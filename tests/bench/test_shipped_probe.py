"""The harness refuses to measure a service that no longer validates requests by its spec."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.contenders import ours
from bench.servers import RunningServer
from bench.shipped_probe import NotAsShipped, check_validates_requests


@contextmanager
def answering(status: int, content_type: str) -> Iterator[RunningServer]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningServer(ours(), server.server_address[1], 0, ())
    finally:
        server.shutdown()
        server.server_close()


def test_a_400_problem_for_a_body_against_the_spec_passes() -> None:
    with answering(400, "application/problem+json") as server:
        check_validates_requests(server, {})


@pytest.mark.parametrize(("status", "content_type"), [(201, "application/json"), (400, "text/html")])
def test_anything_else_stops_the_run(status: int, content_type: str) -> None:
    with answering(status, content_type) as server, pytest.raises(NotAsShipped):
        check_validates_requests(server, {})
