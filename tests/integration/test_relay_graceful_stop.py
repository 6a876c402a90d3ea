"""Stopping the relay: SIGTERM mid-drain exits 0 without duplicates; a stop never hangs on the broker."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path

import pytest

from settings import Settings
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites
from tests.integration.relay_runner import RelayProcess, relay_thread, wait_for_progress
from tests.integration.tcp_proxy import TcpProxy
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq]

ROWS = 2000


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_sigterm_mid_drain_exits_cleanly_without_duplicates(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, tmp_path: Path
) -> None:
    writes.create_many(ROWS, prefix="STOP")
    expected = writes.event_ids()
    slow = relay_settings.with_changes({"relay_batch_size": 100, "relay_max_in_flight": 300})
    first = RelayProcess(slow, tmp_path / "relay.log")
    try:
        wait_for_progress(writes, first, 300)
    finally:
        assert first.terminate() == 0
    second = RelayProcess(slow, tmp_path / "relay.log")
    try:
        events.wait_for_ids(expected, timeout_s=60)
    finally:
        assert second.terminate() == 0
    copies = Counter(event.message_id for event in events.settle())
    assert set(copies) == expected
    assert max(copies.values()) == 1, "a graceful stop should leave nothing confirmed but unmarked"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_stop_during_a_hung_broker_handshake_ends_with_the_connection_attempt(relay_settings: Settings) -> None:
    # A "broker" that takes the TCP connection and never answers nor closes it: only the relay can end it.
    with socket.create_server(("127.0.0.1", 0)) as silent, TcpProxy(silent.getsockname()) as proxy:
        hung = proxy.url_through(relay_settings.amqp_url) + "?stack_timeout=2"
        # Leaving the block stops the relay, and checks that its thread ended without a crash.
        with relay_thread(relay_settings.with_changes({"amqp_url": hung})) as service:
            wait_until(lambda: service.relay.leading, "the relay to lead")
            wait_until(lambda: proxy.open_sockets() > 0, "the relay to open its connection")
        wait_until(lambda: proxy.open_sockets() == 0, "the relay to close its hung connection attempt")
