"""The gunicorn worker: uvicorn, whose httptools parser has no limit on headers, with one.

gunicorn's own `limit_request_*` settings do not reach uvicorn workers, and an ASGI middleware
would see a request only after its whole head sat in memory. Here the protocol counts the bytes of
a request's head as they arrive and answers 431 as soon as they pass MAX_HEADER_BYTES.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from settings import load_settings


class HeadTooLarge(Exception):
    """Raised from a parser callback to stop httptools; uvicorn then calls send_400_response."""


class BoundedHeadersProtocol(HttpToolsProtocol):
    """Counts a request's line and headers: exactly once they are parsed, as they arrive until then.

    While a head is still incomplete, each read counts in full, so a read that also carried the
    end of an earlier, pipelined request can make the limit fire one read early, never late.
    """

    max_header_bytes = 32 * 1024
    linger_s = 2.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_open = False
        self._arrived = 0
        self._parsed = 0
        self._refused = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True
        self._arrived = self._parsed = 0

    def on_url(self, url: bytes) -> None:
        self._parsed += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._parsed += len(name) + len(value) + 4
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_open = False
        if self._parsed > self.max_header_bytes:
            self._refused = True
            raise HeadTooLarge()
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # lingering after the 431: what the client still sends is dropped
        super().data_received(data)
        if not self._head_open or self.transport.is_closing():
            return
        self._arrived += len(data)
        if self._arrived > self.max_header_bytes:
            self._head_open = False
            self._refused = True
            self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        if not self._refused:
            super().send_400_response(msg)
            return
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Request Header Fields Too Large",
                "status": 431,
                "detail": f"the request line and headers are over {self.max_header_bytes} bytes",
            }
        ).encode()
        head = (
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: application/problem+json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n"
        )
        self.logger.info("refused a request whose head is over %d bytes", self.max_header_bytes)
        self.transport.write(head + body)
        # Closing with unread input would send a reset, which can destroy the 431 before the
        # client reads it: end our side, drop what still arrives, and close a little later.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(self.linger_s, self.transport.close)


class ItemsUvicornWorker(UvicornWorker):
    """uvicorn's gunicorn worker with BoundedHeadersProtocol, sized by the settings, and no WebSocket."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        limit = load_settings().max_header_bytes
        protocol = type("BoundedHeadersProtocol", (BoundedHeadersProtocol,), {"max_header_bytes": limit})
        # No WebSocket protocol: the API serves none. uvicorn then answers an `Upgrade: websocket`
        # request as plain HTTP (the route's own answer) instead of a text 500 after a handshake the
        # app never completes, and each worker does not load the websockets package (~2.5 MB).
        self.CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "http": protocol, "ws": "none"}
        super().__init__(*args, **kwargs)
