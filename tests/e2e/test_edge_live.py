"""The request edge under gunicorn and uvicorn: huge heads get 431, odd bodies a 4xx problem, never a 5xx.

These need the real server: the test client has no HTTP parser, and heads are limited inside it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from settings import Settings
from tests.conftest import migrate
from tests.e2e.live_server import live_server
from tests.tokens import bearer

MIB = 1024 * 1024
ITEM = {"sku": "LIVE-1", "name": "n", "price": {"amount_minor": 1, "currency": "EUR"}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One gunicorn for the module, on a SQLite file of its own; yields its URL and a token."""
    directory = tmp_path_factory.mktemp("edge-live")
    url = f"sqlite:///{directory / 'items.db'}"
    migrate(url)
    settings = Settings(database_url=url, auth_dev_secret_file=directory / "jwt-secret")
    env = {"AUTH_DEV_SECRET_FILE": str(settings.auth_dev_secret_file)}
    with live_server(url, directory / "server.log", workers=1, **env) as base_url:
        yield base_url, bearer(settings)["Authorization"]
    log = (directory / "server.log").read_text()
    assert "Traceback" not in log
    assert "No supported WebSocket library" not in log  # advice to install what the API leaves out on purpose


def raw_exchange(base_url: str, head: bytes, body: bytes = b"") -> bytes:
    """Send a request as raw bytes while reading the answer, as a client that keeps sending would."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:

        def send() -> None:
            with contextlib.suppress(OSError):  # the server answered and closed before taking it all
                connection.sendall(head + body)

        sender = threading.Thread(target=send)
        sender.start()
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        sender.join(timeout=30)
    return received


@pytest.mark.slow
@pytest.mark.parametrize("size", [64 * 1024, MIB, 8 * MIB, 32 * MIB], ids=["64KiB", "1MiB", "8MiB", "32MiB"])
def test_a_huge_header_is_a_431_problem(server: tuple[str, str], size: int) -> None:
    base_url, token = server
    start = f"GET /v1/items HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\nX-Big: ".encode()
    head = start + b"a" * size + b"\r\n\r\n"
    answer = raw_exchange(base_url, head)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 431 Request Header Fields Too Large", answer[:300]
    assert b"content-type: application/problem+json" in rest.lower()
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1])["status"] == 431
    assert httpx.get(f"{base_url}/v1/items", headers={"Authorization": token}).status_code == 200


@pytest.mark.slow
def test_many_small_headers_are_a_431_too(server: tuple[str, str]) -> None:
    base_url, _token = server
    headers = b"".join(b"X-H%d: v\r\n" % n for n in range(5000))
    answer = raw_exchange(base_url, b"GET /v1/items HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")


@pytest.mark.slow
def test_headers_under_the_limit_pass(server: tuple[str, str]) -> None:
    base_url, token = server
    response = httpx.get(f"{base_url}/v1/items", headers={"Authorization": token, "X-Pad": "a" * 16000})
    assert response.status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content_type", "status"),
    [("APPLICATION/JSON", 201), (None, 415), ("text/plain", 415), ("application/json; charset=latin-1", 415)],
)
def test_chunked_bodies_are_negotiated_like_any_other(
    server: tuple[str, str], content_type: str | None, status: int
) -> None:
    base_url, token = server
    body = json.dumps({**ITEM, "sku": f"CHUNK-{status}-{len(content_type or '')}"}).encode()
    headers = {"Authorization": token, **({"Content-Type": content_type} if content_type else {})}
    response = httpx.post(f"{base_url}/v1/items", content=iter([body[:10], body[10:]]), headers=headers)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.slow
def test_a_trailing_slash_is_a_404_problem(server: tuple[str, str]) -> None:
    base_url, token = server
    response = httpx.get(f"{base_url}/v1/items/", headers={"Authorization": token})
    assert response.status_code == 404 and response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/v1/items", "/health/live", "/no/such/route"])
def test_a_websocket_upgrade_gets_a_4xx_problem_not_a_500(server: tuple[str, str], path: str) -> None:
    """The API serves no WebSocket: the handshake is refused like any request the routes do not serve."""
    base_url, token = server
    handshake = {
        "Authorization": token,
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    response = httpx.get(f"{base_url}{path}", headers=handshake)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
