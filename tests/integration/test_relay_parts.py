"""Fast checks of the relay's pure parts: confirm window, backoff, reconnect policy, timers, messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from pika import exceptions
from pika.adapters.utils.connection_workflow import (
    AMQPConnectionWorkflowFailed,
    AMQPConnectorAMQPHandshakeError,
    AMQPConnectorSocketConnectError,
)
from sqlalchemy.exc import OperationalError

from adapters.outbox_rows import PendingEvent
from items_events.backoff import Backoff
from items_events.reconnect_policy import Outage, classify
from items_events.single_object import CONTENT_TYPE
from relay.event_pump import EventPump
from relay.in_flight import InFlightWindow
from relay.loop_timer import LoopTimer
from relay.topology import Topology


def test_the_window_handles_single_out_of_order_and_multiple_confirms() -> None:
    window = InFlightWindow()
    for tag in range(1, 6):
        window.add(tag, seq=100 + tag, sent_at=float(tag))
    assert window.confirm(2, multiple=False) == [102]
    assert window.oldest_sent_at() == 1.0
    assert window.confirm(3, multiple=True) == [101, 103]
    assert window.confirm(3, multiple=False) == []  # already confirmed: ignored
    assert window.seqs() == {104, 105} and len(window) == 2
    assert window.confirm(9, multiple=True) == [104, 105]
    assert window.oldest_sent_at() is None


def test_backoff_doubles_up_to_its_cap_and_restarts_after_a_reset() -> None:
    backoff = Backoff(initial_s=0.5, cap_s=4.0, uniform=lambda _low, high: high)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5
    assert backoff.longest_delay() == 4.0
    jittered = Backoff(initial_s=2.0, cap_s=2.0)
    assert all(1.0 <= jittered.next_delay() <= 2.0 for _ in range(50))


@pytest.mark.parametrize(
    ("reason", "outage"),
    [
        (exceptions.ProbableAuthenticationError("refused"), Outage.MISCONFIGURED),
        (exceptions.ProbableAccessDeniedError("no vhost"), Outage.MISCONFIGURED),
        (exceptions.ChannelClosedByBroker(406, "PRECONDITION_FAILED"), Outage.MISCONFIGURED),
        (exceptions.ConnectionClosedByBroker(320, "CONNECTION_FORCED"), Outage.TRANSIENT),
        (exceptions.StreamLostError("EOF"), Outage.TRANSIENT),
        (exceptions.IncompatibleProtocolError("EOF during handshake"), Outage.TRANSIENT),
        (exceptions.ConnectionClosedByClient(200, "resend"), Outage.TRANSIENT),
        (exceptions.AMQPHeartbeatTimeout("no heartbeat"), Outage.TRANSIENT),
        # An attempt on every node of a cluster: misconfigured if any node refused the credentials.
        (
            AMQPConnectionWorkflowFailed([AMQPConnectorSocketConnectError(ConnectionRefusedError())] * 3),
            Outage.TRANSIENT,
        ),
        (
            AMQPConnectionWorkflowFailed(
                [
                    AMQPConnectorSocketConnectError(ConnectionRefusedError()),
                    AMQPConnectorAMQPHandshakeError(exceptions.ProbableAuthenticationError("refused")),
                ]
            ),
            Outage.MISCONFIGURED,
        ),
    ],
)
def test_the_reconnect_policy_is_decided_by_the_exception_type(reason: BaseException, outage: Outage) -> None:
    assert classify(reason) is outage


class FakeLoop:
    """Records timers instead of running them."""

    def __init__(self) -> None:
        self.pending: dict[int, tuple[float, Callable[[], None]]] = {}
        self._next = 0

    def call_later(self, delay: float, callback: Callable[[], None]) -> Any:
        self._next += 1
        self.pending[self._next] = (delay, callback)
        return self._next

    def remove_timeout(self, timeout_handle: Any) -> None:
        del self.pending[timeout_handle]


def test_a_loop_timer_is_pending_once_and_only_ever_moves_earlier() -> None:
    loop, fired = FakeLoop(), []
    timer = LoopTimer(loop, lambda: fired.append(1))
    timer.schedule(5.0)
    timer.schedule(10.0)
    assert [delay for delay, _ in loop.pending.values()] == [5.0]
    timer.schedule(0.0)
    ((delay, callback),) = loop.pending.values()
    assert delay == 0.0
    callback()
    assert fired == [1] and not timer.pending


class FakeSource:
    """Hands out the rows it is given, once each; counts the reads."""

    def __init__(self) -> None:
        self.rows: list[PendingEvent] = []
        self.reads = 0

    def pending(self, limit: int, exclude: Any) -> list[PendingEvent]:
        self.reads += 1
        taken, self.rows = self.rows[:limit], self.rows[limit:]
        return taken


class FakePublisher:
    """Always ready; nothing stays in flight."""

    ready = True
    in_flight = 0

    def __init__(self) -> None:
        self.published: list[list[int]] = []

    def start(self, events: Any) -> None:
        pass

    def in_flight_seqs(self) -> set[int]:
        return set()

    def publish(self, events: list[PendingEvent]) -> None:
        self.published.append([event.seq for event in events])


def _pending(seq: int) -> PendingEvent:
    return PendingEvent(seq, UUID(int=seq), "ItemCreated", "item.created", b"", {}, datetime.now(UTC))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Watch:
    """Counts the pump's hand-backs to wake-ups."""

    def __init__(self) -> None:
        self.idle = 0

    def resume(self) -> None:
        self.idle += 1


def _pump(
    loop: FakeLoop,
    source: FakeSource,
    publisher: FakePublisher,
    batch_size: int = 10,
    clock: FakeClock | None = None,
    watch: Watch | None = None,
) -> EventPump:
    pump = EventPump(
        loop, source, publisher, batch_size, 100, 0.05, lambda: datetime.now(UTC), lambda: None,  # type: ignore[arg-type]
        read_interval_s=INTERVAL, clock=clock or FakeClock(), on_idle=(watch or Watch()).resume,
    )  # fmt: skip
    pump.start()
    return pump


INTERVAL = 0.004


def _fire_reads(loop: FakeLoop, clock: FakeClock | None = None) -> list[float]:
    """Run the pending timers, advancing the clock by each delay; the delays they were scheduled with."""
    delays = []
    while loop.pending:
        handle = next(iter(loop.pending))
        delay, callback = loop.pending.pop(handle)
        delays.append(delay)
        if clock is not None:
            clock.now += delay
        callback()
    return delays


def _fire_next(loop: FakeLoop, clock: FakeClock | None = None) -> float:
    """Run the one pending timer; the delay it was scheduled with."""
    ((handle, (delay, callback)),) = loop.pending.items()
    del loop.pending[handle]
    if clock is not None:
        clock.now += delay
    callback()
    return delay


def _commit(source: FakeSource, pump: EventPump, seq: int) -> None:
    source.rows.append(_pending(seq))
    pump.wake()


def test_an_idle_relay_reads_at_the_first_commit_and_a_lone_commit_costs_one_read() -> None:
    loop, source, publisher, watch = FakeLoop(), FakeSource(), FakePublisher(), Watch()
    pump = _pump(loop, source, publisher, watch=watch)

    _commit(source, pump, 1)

    # One row: no sign of more to come, so the pump goes back to waiting for a wake-up.
    assert _fire_reads(loop) == [0.0]
    assert publisher.published == [[1]] and watch.idle == 1


def test_commits_soon_after_a_read_share_the_next_read_once_the_interval_is_over() -> None:
    loop, source, publisher, clock = FakeLoop(), FakeSource(), FakePublisher(), FakeClock()
    pump = _pump(loop, source, publisher, clock=clock)
    _commit(source, pump, 1)
    assert _fire_next(loop) == 0.0

    clock.now += 0.001
    for seq in (2, 3, 4):  # three commits, three notifications, before the interval ends
        _commit(source, pump, seq)

    assert _fire_reads(loop, clock)[0] == pytest.approx(INTERVAL - 0.001)
    assert publisher.published == [[1], [2, 3, 4]]


def test_while_reads_find_several_rows_they_follow_the_clock_without_wake_ups() -> None:
    loop, source, publisher, clock, watch = FakeLoop(), FakeSource(), FakePublisher(), FakeClock(), Watch()
    pump = _pump(loop, source, publisher, clock=clock, watch=watch)
    source.rows.append(_pending(1))
    _commit(source, pump, 2)
    assert _fire_next(loop) == 0.0

    for seq in range(3, 9, 2):  # two commits land in every interval; nobody wakes the pump
        source.rows += [_pending(seq), _pending(seq + 1)]
        assert _fire_next(loop, clock) == INTERVAL and watch.idle == 0

    source.rows.append(_pending(9))
    assert _fire_reads(loop, clock) == [INTERVAL]  # one row: back to wake-ups
    assert publisher.published == [[1, 2], [3, 4], [5, 6], [7, 8], [9]] and watch.idle == 1


def test_a_commit_long_after_the_last_read_is_read_at_once() -> None:
    loop, source, publisher, clock = FakeLoop(), FakeSource(), FakePublisher(), FakeClock()
    pump = _pump(loop, source, publisher, clock=clock)
    _commit(source, pump, 1)
    _fire_reads(loop, clock)

    clock.now += 1.0
    _commit(source, pump, 2)

    assert _fire_reads(loop, clock) == [0.0]


def test_a_failed_read_hands_back_to_wake_ups() -> None:
    class FailingSource(FakeSource):
        def pending(self, limit: int, exclude: Any) -> list[PendingEvent]:
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    loop, publisher, watch = FakeLoop(), FakePublisher(), Watch()
    pump = _pump(loop, FailingSource(), publisher, watch=watch)
    pump.wake()

    assert _fire_reads(loop) == [0.0] and watch.idle == 1


def test_a_full_batch_reads_again_at_once() -> None:
    loop, source, publisher = FakeLoop(), FakeSource(), FakePublisher()
    pump = _pump(loop, source, publisher, batch_size=2)
    source.rows = [_pending(seq) for seq in range(1, 6)]
    pump.wake()

    assert _fire_reads(loop) == [0.0, 0.0, 0.0]
    assert publisher.published == [[1, 2], [3, 4], [5]]


def test_a_new_channel_reads_at_once() -> None:
    loop, source, publisher = FakeLoop(), FakeSource(), FakePublisher()
    pump = _pump(loop, source, publisher)
    source.rows.append(_pending(1))

    pump.on_ready()

    assert _fire_reads(loop) == [0.0]


def test_an_event_becomes_a_persistent_message_identified_by_its_event_id() -> None:
    event = PendingEvent(
        seq=7,
        event_id=UUID("01890a5d-ac96-7c4b-8a1e-0123456789ab"),
        event_type="ItemCreated",
        routing_key="item.created",
        payload=b"\xc3\x01",
        headers={"ce-id": "01890a5d-ac96-7c4b-8a1e-0123456789ab", "ce-type": "items.v1.ItemCreated"},
        occurred_at=datetime(2024, 5, 1, 12, 0, 0),  # as SQLite returns it: UTC without its zone
    )
    properties = event.properties()
    assert properties.delivery_mode == 2 and properties.content_type == CONTENT_TYPE
    assert properties.message_id == properties.headers["ce-id"]
    assert properties.timestamp == int(datetime(2024, 5, 1, 12, tzinfo=UTC).timestamp())
    assert properties.type == "items.v1.ItemCreated"


def test_the_relay_declares_only_the_events_exchange_durable_topic_and_without_arguments() -> None:
    assert Topology("items").declarations() == [
        ("exchange_declare", {"exchange": "items", "exchange_type": "topic", "durable": True})
    ]
