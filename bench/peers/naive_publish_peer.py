"""FastAPI peer of the naive event design: insert the item, then publish its event and wait for the confirm.

The publish happens inside the insert transaction (the `ItemStore.on_created` seam), on a
pika BlockingConnection in confirm mode, so each request waits for the broker before it
commits: a broker outage fails the write instead of losing its event, but a crash between
the confirm and the commit still publishes an event for a write that never happened. One
connection per worker thread, opened on first use in that thread, so after gunicorn's fork.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from typing import Any

import pika
from fastapi import FastAPI
from pika.adapters.blocking_connection import BlockingChannel
from sqlalchemy import Connection

from bench.options import DEFAULT_AMQP_URL
from bench.peers.fastapi_peer import build_app
from bench.peers.item_store import ItemStore, engine_from_environment, item_document

ROUTING_KEY = "item.created"


class ConfirmedPublisher:
    """Publishes persistent JSON events and returns once the broker has confirmed each one."""

    def __init__(self, amqp_url: str, exchange: str) -> None:
        self._parameters = pika.URLParameters(amqp_url)
        self._exchange = exchange
        self._local = threading.local()

    def item_created(self, _connection: Connection, row: Mapping[str, Any]) -> None:
        """The `on_created` hook: raises (and so rolls the insert back) if the broker does not confirm."""
        body = json.dumps({"type": "ItemCreated", "item": item_document(row)}).encode()
        properties = pika.BasicProperties(
            content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent, message_id=str(row["id"])
        )
        try:
            self._channel().basic_publish(self._exchange, ROUTING_KEY, body, properties, mandatory=True)
        except pika.exceptions.AMQPConnectionError:
            self._local.channel = None  # the broker went away: reconnect on the next request
            raise

    def _channel(self) -> BlockingChannel:
        channel: BlockingChannel | None = getattr(self._local, "channel", None)
        if channel is None or channel.is_closed:
            channel = pika.BlockingConnection(self._parameters).channel()
            channel.confirm_delivery()
            self._local.channel = channel
        return channel


def create_app() -> FastAPI:
    """Application factory, called once per gunicorn worker."""
    publisher = ConfirmedPublisher(os.environ.get("AMQP_URL", DEFAULT_AMQP_URL), os.environ["EVENTS_EXCHANGE"])
    return build_app(ItemStore(engine_from_environment(), on_created=publisher.item_created))
