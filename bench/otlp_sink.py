"""An OTLP/HTTP endpoint that accepts every export and keeps only a count: the far end of a traced server."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class OtlpSink:
    """`with OtlpSink() as sink:` serves `sink.endpoint` on 127.0.0.1; `exports` and `bytes` count what came."""

    def __init__(self) -> None:
        self.exports = 0
        self.bytes = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.sink = self  # type: ignore[attr-defined]
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="otlp-sink", daemon=True)

    def __enter__(self) -> OtlpSink:
        self._thread.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        sink: OtlpSink = self.server.sink  # type: ignore[attr-defined]
        sink.exports += 1
        sink.bytes += length
        # An empty ExportTraceServiceResponse: full success.
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass
