"""The readiness checks of the event path: outbox backlog and broker reachability."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from adapters.broker_health import BrokerCheck
from adapters.outbox_backlog import OutboxBacklog, OutboxCheck
from adapters.tables import outbox
from tests.integration.api_server import free_port
from tests.integration.outbox_writes import OutboxWrites


def test_the_backlog_counts_pending_rows_and_ages_the_oldest(writes: OutboxWrites) -> None:
    assert OutboxBacklog(writes.engine).measure() == (0, None)
    writes.create_many(3, prefix="LAG")
    with writes.engine.begin() as connection:
        oldest = connection.execute(select(outbox.c.occurred_at).order_by(outbox.c.seq).limit(1)).scalar_one()
        first = connection.execute(select(outbox.c.seq).order_by(outbox.c.seq).limit(1)).scalar_one()
        connection.execute(update(outbox).where(outbox.c.seq == first).values(published_at=datetime.now(UTC)))
    later = (oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)) + timedelta(seconds=90)
    pending, age = OutboxBacklog(writes.engine, now=lambda: later).measure()
    assert pending == 2 and age is not None and 0 < age <= 90

    check = OutboxCheck(OutboxBacklog(writes.engine, now=lambda: later), stale_after_s=60)
    result = check.check()
    assert not result.ok and result.detail is not None and result.detail.startswith("2 events pending, oldest ")
    assert OutboxCheck(OutboxBacklog(writes.engine)).check().ok
    assert (OutboxCheck.name, OutboxCheck.critical) == ("outbox", False)


@pytest.mark.rabbitmq
def test_the_broker_check_probes_at_most_once_per_cache_period(amqp_url: str) -> None:
    assert BrokerCheck(amqp_url).check().ok
    now = [0.0]
    down = BrokerCheck(f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F", clock=lambda: now[0])
    first = down.check()
    assert not first.ok and first.detail == "broker unavailable: AMQPConnectionError"
    now[0] = 4.0
    assert down.check() is first
    now[0] = 5.5
    assert down.check() is not first
    assert (BrokerCheck.name, BrokerCheck.critical) == ("broker", False)
