"""A `SelectConnection` that hands a whole batch of publishes to its socket as one write.

pika marshals each publish into three frames (method, header, body) and buffers every frame as
a piece of its own, and its transport sends each piece with a `send()` of its own: a batch of N
events took 3N system calls and 3N TCP segments, each read and handled apart by the broker.
Inside `one_write()` the frames are gathered instead, and buffered as one piece when the block
ends, before the loop next sends: what reaches the socket, and the order of it, is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from pika import SelectConnection
from pika.channel import Channel


class CoalescingConnection(SelectConnection):
    """`SelectConnection` plus `one_write()`; everything outside such a block is pika's own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._gathered: list[bytes] | None = None
        super().__init__(*args, **kwargs)

    @contextmanager
    def one_write(self) -> Iterator[None]:
        """Frames emitted inside the block are handed on together when it ends (nesting is a no-op)."""
        if self._gathered is not None:
            yield
            return
        self._gathered = []
        try:
            yield
        finally:
            gathered, self._gathered = self._gathered, None
            if gathered and self.is_open:
                # A view: after a partial send the transport keeps the rest as a slice, which would
                # copy a whole batch's bytes each time the broker's socket is full.
                super()._adapter_emit_data(memoryview(b"".join(gathered)))

    def _adapter_emit_data(self, data: bytes) -> None:
        # pika's hook for adapters ("subclasses must override this"): every outgoing frame passes here.
        if self._gathered is None:
            super()._adapter_emit_data(data)
        else:
            self._gathered.append(data)


def one_write(channel: Channel) -> AbstractContextManager[None]:
    """The channel's connection's `one_write()`, or nothing on a connection of another kind."""
    connection = channel.connection
    return connection.one_write() if isinstance(connection, CoalescingConnection) else nullcontext()
