"""Serves an app over real HTTP on a free loopback port from a thread of the test process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from connexion import FlaskApp

from tests.e2e.live_server import free_port
from tests.waiting import wait_until


@contextmanager
def serving(app: FlaskApp, port: int | None = None, timeout_s: float = 15) -> Iterator[str]:
    """Yield the base URL while uvicorn serves `app`; a browser needs a real socket, not a test client."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port or free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, name="contract-test-server", daemon=True)
    thread.start()

    def started() -> bool:
        if not thread.is_alive():
            raise RuntimeError("the test server exited before it started")
        return bool(server.started)

    try:
        wait_until(started, "the test server to start", timeout_s)
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
