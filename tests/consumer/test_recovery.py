"""The one failure policy: outages are waited out with a backoff, anything else propagates."""

from __future__ import annotations

import pytest
from pika.exceptions import AMQPConnectionError, ChannelClosedByBroker, ConsumerCancelled
from sqlalchemy.exc import IntegrityError, OperationalError

from items_events.backoff import Backoff
from items_events.reconnect_policy import REFUSED_DELAY_S, TRANSIENT_CAP_S
from items_events.recovery import Recovery, is_dependency_outage
from items_events.writer_schemas import SchemaServiceUnavailable


def fixed(delay: float) -> Backoff:
    return Backoff(initial_s=delay, cap_s=delay * 4, uniform=lambda _low, high: high)


def test_broker_outages_back_off_and_misconfiguration_waits_longest() -> None:
    recovery = Recovery(broker=fixed(1.0), dependency=fixed(10.0))
    assert recovery.delay_after(AMQPConnectionError("gone")) == 1.0
    assert recovery.delay_after(ConsumerCancelled("queue deleted")) == 2.0
    refused = recovery.delay_after(ChannelClosedByBroker(406, "PRECONDITION_FAILED"))
    assert REFUSED_DELAY_S / 2 <= refused <= REFUSED_DELAY_S
    recovery.broker_recovered()
    assert recovery.delay_after(AMQPConnectionError("gone")) == 1.0


def test_a_long_broker_outage_is_retried_every_few_seconds_not_every_half_minute() -> None:
    recovery = Recovery()
    delays = [recovery.delay_after(AMQPConnectionError("gone")) for _ in range(20)]
    assert max(delays) <= TRANSIENT_CAP_S


def test_database_and_schema_endpoint_outages_hold_the_batch() -> None:
    recovery = Recovery(broker=fixed(1.0), dependency=fixed(10.0))
    outage = OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert is_dependency_outage(outage) and is_dependency_outage(SchemaServiceUnavailable("down"))
    assert recovery.delay_after(outage) == 10.0
    assert recovery.delay_after(SchemaServiceUnavailable("down")) == 20.0


def test_anything_else_is_not_an_outage_and_propagates() -> None:
    violation = IntegrityError("INSERT", {}, Exception("duplicate key"))
    assert not is_dependency_outage(violation)  # a handler's failure: its message is requeued
    with pytest.raises(ValueError, match="bug"):
        Recovery().delay_after(ValueError("bug"))
