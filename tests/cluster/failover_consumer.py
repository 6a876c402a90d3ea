"""A consumer that outlives its broker node: a prototype of the consumer runner given several addresses.

`pika.BlockingConnection` takes the whole list and connects to the first node that
answers; after a loss the list starts after the node lost. Unacked deliveries of the lost
connection come again (redelivered) from the queue's new leader, so the consumer sees
duplicates, never a gap: its dedupe by `message_id` does the rest.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pika
from pika.connection import Parameters
from pika.exceptions import AMQPError

from tests.cluster.broker_addresses import address_of, starting_after

POLL_S = 0.1


@dataclass
class ConsumeReport:
    """Which message ids arrived, how many twice, where it was connected and the longest silence."""

    received: set[str] = field(default_factory=set)
    duplicates: int = 0
    connected_to: list[tuple[str, int]] = field(default_factory=list)
    longest_gap_s: float = 0.0


def consume_until(addresses: Sequence[Parameters], queue: str, expected: set[str], timeout_s: float) -> ConsumeReport:
    """Consume `queue`, acking each delivery, until every id in `expected` has arrived or time is up."""
    report = ConsumeReport()
    deadline = time.monotonic() + timeout_s
    last = time.monotonic()
    order = list(addresses)
    while not expected <= report.received and time.monotonic() < deadline:
        try:
            with pika.BlockingConnection(order) as connection:
                report.connected_to.append(address_of(connection._impl.params))
                channel = connection.channel()
                channel.basic_qos(prefetch_count=50)
                for method, properties, _body in channel.consume(queue, inactivity_timeout=POLL_S):
                    now = time.monotonic()
                    if method is not None:
                        report.longest_gap_s = max(report.longest_gap_s, now - last)
                        last = now
                        message_id = str(properties.message_id)
                        report.duplicates += message_id in report.received
                        report.received.add(message_id)
                        channel.basic_ack(method.delivery_tag)
                    if expected <= report.received or now >= deadline:
                        break
        except AMQPError:
            lost = report.connected_to[-1] if report.connected_to else None
            order = starting_after(addresses, lost)
            time.sleep(POLL_S)
    return report
