"""A TCP proxy on 127.0.0.1 that tests can cut (a network outage), pause (a stall) and restore."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

_CHUNK = 65536
DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671}


class TcpProxy:
    """Forwards each accepted connection to `upstream`; `cut()` drops them all and refuses new ones,
    `pause()` keeps them open but forwards nothing (bytes wait in the kernel) until `restore()`.

    `tap`, when given, is called once per accepted connection and returns what sees each chunk
    the client sends, in order (e.g. to count protocol messages)."""

    def __init__(self, upstream: tuple[str, int], tap: Callable[[], Callable[[bytes], None]] | None = None) -> None:
        self._upstream = upstream
        self._tap = tap
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = False
        self._acceptor = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @classmethod
    def for_url(cls, url: str, tap: Callable[[], Callable[[bytes], None]] | None = None) -> TcpProxy:
        """A proxy to the host and port of `url` (any scheme with a network location)."""
        parts = urlsplit(url)
        return cls((parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORTS[parts.scheme]), tap)

    def url_through(self, url: str) -> str:
        """`url` with its host and port replaced by this proxy's."""
        parts = urlsplit(url)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def __enter__(self) -> TcpProxy:
        self._acceptor.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._closed = True
        self.cut()
        self._flowing.set()
        self._listener.close()
        self._acceptor.join(timeout=5)

    def cut(self) -> None:
        """Reset every proxied connection; until `restore()`, new ones are closed at once."""
        with self._lock:
            self._cut = True
            doomed, self._open = self._open, set()
        for sock in doomed:
            _close(sock)

    def open_sockets(self) -> int:
        """Sockets of proxied connections still open: each connection has two, until either end closes."""
        with self._lock:
            return len(self._open)

    def pause(self) -> None:
        self._flowing.clear()

    def restore(self) -> None:
        with self._lock:
            self._cut = False
        self._flowing.set()

    def _accept(self) -> None:
        self._listener.settimeout(0.1)  # so that closing is noticed; accept() ignores close()
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                server = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                refused = self._cut
                if not refused:
                    self._open.update((client, server))
            if refused:
                _close(client)
                _close(server)
                continue
            seen = self._tap() if self._tap is not None else None
            for source, target, observer in ((client, server, seen), (server, client, None)):
                threading.Thread(target=self._pipe, args=(source, target, observer), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, observer: Callable[[bytes], None] | None) -> None:
        try:
            while chunk := source.recv(_CHUNK):
                self._flowing.wait()
                if observer is not None:
                    observer(chunk)
                target.sendall(chunk)
        except OSError:
            pass
        for sock in (source, target):
            with self._lock:
                self._open.discard(sock)
            _close(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
