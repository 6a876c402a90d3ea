"""An event no queue is bound for is marked published and counted, not resent forever; it stays replayable."""

from __future__ import annotations

import io
import uuid

import pika
import pytest

from entrypoints.replay import main as replay
from observability.metrics import EVENTS_UNROUTED
from settings import Settings
from tests.integration.outbox_writes import OutboxWrites, item_fields
from tests.integration.relay_runner import relay_thread
from tests.waiting import wait_until

pytestmark = [pytest.mark.rabbitmq]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_event_nobody_listens_to_is_published_once_and_kept_for_replay(
    relay_settings: Settings, writes: OutboxWrites
) -> None:
    unrouted_before = EVENTS_UNROUTED._value.get()
    writes.create(item_fields("LONELY-1"))
    (event_id,) = writes.event_ids()
    with relay_thread(relay_settings):
        wait_until(lambda: writes.published() == 1, "the unroutable event marked published")
    assert EVENTS_UNROUTED._value.get() == unrouted_before + 1

    connection = pika.BlockingConnection(pika.URLParameters(relay_settings.amqp_url))
    try:
        channel = connection.channel()
        queue = f"replayed.{uuid.uuid4().hex[:12]}"
        channel.queue_declare(queue)
        try:
            assert replay(["--queue", queue], relay_settings, io.StringIO()) == 0
            method, properties, _body = channel.basic_get(queue, auto_ack=True)
            assert method is not None and properties.message_id == event_id
        finally:
            channel.queue_delete(queue)
    finally:
        connection.close()
