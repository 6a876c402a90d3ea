"""An event that no queue is bound for is kept in `items.unrouted`, not dropped or returned."""

from __future__ import annotations

import time

import pika
import pytest

from relay.topology import UNROUTED_QUEUE
from settings import Settings
from tests.integration.outbox_writes import OutboxWrites, item_fields
from tests.integration.relay_runner import relay_thread

pytestmark = [pytest.mark.rabbitmq]


def take_from_unrouted(amqp_url: str, message_id: str, timeout_s: float = 15) -> pika.BasicProperties:
    """Find one message in the shared queue, acknowledging only it; the others go back when the channel closes."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            channel = connection.channel()
            while True:
                method, properties, _body = channel.basic_get(UNROUTED_QUEUE, auto_ack=False)
                if method is None:
                    break
                if properties.message_id == message_id:
                    channel.basic_ack(method.delivery_tag)
                    return properties
            channel.close()  # requeues what was not ours
            time.sleep(0.1)
    finally:
        connection.close()
    raise AssertionError(f"event {message_id} is not in {UNROUTED_QUEUE}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_event_nobody_listens_to_lands_in_the_unrouted_queue(relay_settings: Settings, writes: OutboxWrites) -> None:
    writes.provider.create(item_fields("LONELY-1"))
    (event_id,) = writes.event_ids()
    with relay_thread(relay_settings):
        properties = take_from_unrouted(relay_settings.amqp_url, event_id)
    assert properties.headers["ce-id"] == event_id
