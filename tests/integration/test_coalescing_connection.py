"""The relay's connection sends a batch of publishes as one write: counted by the kernel, on a real broker.

The kernel's count of data segments on the connection's socket (`TCP_INFO`) is the measure: pika
alone sends each frame with a `send()` of its own, three per message.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import pika
import pytest
from pika.adapters.select_connection import IOLoop
from pika.channel import Channel
from pika.frame import Method

from relay.coalescing_connection import CoalescingConnection, one_write
from settings import Settings
from tests.integration.delivery_checks import assert_complete_and_ordered
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites
from tests.integration.relay_runner import relay_thread
from tests.waiting import wait_until

BATCH = 100
BODY = b"x" * 200
_DATA_SEGS_OUT = 156
"""Offset of `tcpi_data_segs_out` in Linux's `struct tcp_info`: segments that carried data."""


@dataclass
class Publishing:
    """A `CoalescingConnection`'s channel in confirm mode, its loop, and a duplicate of its socket."""

    loop: IOLoop
    channel: Channel | None = None
    socket: socket.socket | None = None
    published: int = 0
    confirmed: int = 0
    """The highest delivery tag confirmed so far (confirms may be `multiple`)."""

    def on_confirm(self, frame: Method) -> None:
        self.confirmed = max(self.confirmed, frame.method.delivery_tag)


@pytest.fixture
def publishing(vhost_url: str) -> Iterator[Publishing]:
    """Connected and in confirm mode; closed afterwards."""
    publishing = Publishing(IOLoop())
    before = _sockets()

    def on_connected(result: object) -> None:
        if not isinstance(result, CoalescingConnection):
            raise AssertionError(f"cannot connect: {result}")
        result.channel(on_open_callback=confirm_mode)

    def confirm_mode(channel: Channel) -> None:
        channel.confirm_delivery(publishing.on_confirm, lambda _: setattr(publishing, "channel", channel))

    parameters = pika.URLParameters(vhost_url)
    CoalescingConnection.create_connection([parameters], on_connected, custom_ioloop=publishing.loop)
    _run_until(publishing.loop, lambda: publishing.channel is not None)
    (publishing.socket,) = _connected_to(parameters.port, _sockets() - before)
    assert publishing.channel is not None
    connection = publishing.channel.connection
    try:
        yield publishing
    finally:
        publishing.socket.close()
        connection.close()
        _run_until(publishing.loop, lambda: connection.is_closed)
        publishing.loop.close()


def test_a_batch_published_in_one_write_leaves_in_a_few_segments_not_one_per_frame(publishing: Publishing) -> None:
    assert publishing.channel is not None
    coalesced = _segments_for_a_batch(publishing, one_write(publishing.channel))
    frame_by_frame = _segments_for_a_batch(publishing, nullcontext())
    # 100 publishes are 300 frames, about 27 kB: one write, a segment or two on loopback.
    assert coalesced <= 3, coalesced
    assert frame_by_frame > 3 * coalesced, (frame_by_frame, coalesced)


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_relay_publishes_a_committed_batch_in_a_few_segments(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue
) -> None:
    """One transaction of 100 items: one NOTIFY, one read, one batch, so one write from the relay."""
    broker_port = pika.URLParameters(relay_settings.amqp_url).port
    before = _sockets()
    with relay_thread(relay_settings) as service:
        wait_until(lambda: service.relay.leading, "the relay leading")
        writes.create_many(1, prefix="WARM")
        events.wait_for_count(1, timeout_s=20)
        (relay_socket,) = _connected_to(broker_port, _sockets() - before)
        with relay_socket:
            start = _data_segments_out(relay_socket)
            writes.create_many(BATCH, prefix="BURST", per_transaction=BATCH)
            events.wait_for_count(1 + BATCH, timeout_s=20)
            sent = _data_segments_out(relay_socket) - start
    assert sent <= 3, sent
    # The broker parsed the one write into the same messages, whole and in order.
    assert_complete_and_ordered(events.settle(), writes.event_ids())


def test_one_write_outside_the_relays_connection_changes_nothing() -> None:
    class Elsewhere:
        connection = object()

    assert isinstance(one_write(Elsewhere()), nullcontext)


def _segments_for_a_batch(publishing: Publishing, block: AbstractContextManager[None]) -> int:
    """Data segments the socket sent while one batch was published and confirmed."""
    channel, sock = publishing.channel, publishing.socket
    assert channel is not None and sock is not None
    _run_for(publishing.loop, 0.2)  # let any earlier traffic finish
    start = _data_segments_out(sock)
    with block:
        for _ in range(BATCH):
            channel.basic_publish("", "nowhere", BODY)
    publishing.published += BATCH
    _run_until(publishing.loop, lambda: publishing.confirmed >= publishing.published)
    return _data_segments_out(sock) - start


def _data_segments_out(sock: socket.socket) -> int:
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    return int(struct.unpack_from("I", info, _DATA_SEGS_OUT)[0])


def _connected_to(port: int, descriptors: set[int]) -> list[socket.socket]:
    """Duplicates of the TCP sockets among `descriptors` whose peer is on `port`."""
    found = []
    for descriptor in descriptors:
        sock = socket.socket(fileno=os.dup(descriptor))
        try:
            peer_port = sock.getpeername()[1]
        except (OSError, IndexError, TypeError):
            peer_port = None
        if peer_port == port:
            found.append(sock)
        else:
            sock.close()
    return found


def _sockets() -> set[int]:
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                found.add(int(name))
        except OSError:
            continue
    return found


def _run_until(loop: IOLoop, done: Callable[[], bool], timeout_s: float = 10.0) -> None:
    def check() -> None:
        if done():
            loop.stop()
        else:
            loop.call_later(0.001, check)

    loop.call_later(0, check)
    _run_for(loop, timeout_s)
    if not done():
        raise AssertionError("timed out")


def _run_for(loop: IOLoop, seconds: float) -> None:
    """Run the loop until it stops itself or `seconds` have passed."""
    deadline = loop.call_later(seconds, loop.stop)
    loop.start()
    loop.remove_timeout(deadline)
