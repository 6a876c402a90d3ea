"""A broker outage in the middle of a stream of writes loses no event and keeps each item's order."""

from __future__ import annotations

import logging

import pytest

from settings import Settings
from tests.integration.delivery_checks import assert_complete_and_ordered
from tests.integration.event_queue import EventQueue
from tests.integration.outbox_writes import OutboxWrites, item_fields
from tests.integration.relay_runner import relay_thread
from tests.integration.tcp_proxy import TcpProxy
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.slow]

ITEMS = 100
PATCHES_PER_ITEM = 2
CUT_AT, RESTORE_AT = 150, 250
"""Write numbers (of 300) at which the broker link goes down and comes back."""


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_writes_during_a_broker_outage_are_all_published_in_order(
    relay_settings: Settings, writes: OutboxWrites, events: EventQueue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="relay")
    with TcpProxy.for_url(relay_settings.amqp_url) as proxy:
        proxied = relay_settings.with_changes(
            {"amqp_url": proxy.url_through(relay_settings.amqp_url), "relay_max_in_flight": 50}
        )
        with relay_thread(proxied):
            ids = [writes.create(item_fields(f"OUT-{n}")) for n in range(ITEMS)]
            for write_number, item_id in enumerate(ids * PATCHES_PER_ITEM, start=ITEMS):
                if write_number == CUT_AT:
                    proxy.cut()  # some messages are in flight, the rest not yet sent
                if write_number == RESTORE_AT:
                    wait_for_outages(caplog, 2)  # the drop, then at least one refused reconnect
                    proxy.restore()
                writes.provider.patch(item_id, {"quantity": write_number})
            expected = writes.event_ids()
            assert len(expected) == ITEMS * (1 + PATCHES_PER_ITEM)  # every write succeeded meanwhile
            events.wait_for_ids(expected, timeout_s=60)
    assert_complete_and_ordered(events.settle(), expected)


def wait_for_outages(caplog: pytest.LogCaptureFixture, count: int, timeout_s: float = 15) -> None:
    def noticed() -> bool:
        return sum("broker connection lost" in record.getMessage() for record in caplog.records) >= count

    wait_until(noticed, f"the relay to notice the outage {count} times", timeout_s)
