"""`make tail`: watch events as they are published, decoded, one JSON line each.

It binds a temporary queue (exclusive, deleted when it stops) to the events exchange, so it
takes nothing from any consumer's queue.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pika

from eventing.decoding import decode_event
from eventing.released_schemas import load_released
from items_events.broker_addresses import broker_parameters
from items_events.errors import UndecodableEvent
from items_events.event_decoder import WriterSchemas
from items_events.schemas import KnownWriterSchemas
from relay.topology import Topology
from settings import load_settings
from wiring.contract import RELEASED_SCHEMAS_DIR
from wiring.messaging import event_catalog


def describe(body: bytes, properties: pika.BasicProperties, writers: WriterSchemas) -> dict[str, Any]:
    headers = properties.headers or {}
    line: dict[str, Any] = {"ce-type": headers.get("ce-type"), "ce-id": headers.get("ce-id")}
    line["ce-time"] = headers.get("ce-time")
    try:
        line["data"] = decode_event(body, writers).record
    except UndecodableEvent as exc:
        line["undecodable"] = str(exc)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--routing-key", default="#", help="binding pattern, e.g. item.deleted or category.*")
    args = parser.parse_args()
    settings = load_settings()
    released = [version.schema for versions in load_released(RELEASED_SCHEMAS_DIR).values() for version in versions]
    writers = KnownWriterSchemas([*released, *event_catalog().registry.schemas()])
    connection = pika.BlockingConnection(broker_parameters(settings.amqp_url))  # the first node that answers
    channel = connection.channel()
    Topology(settings.events_exchange).declare_blocking(channel)
    queue = channel.queue_declare(queue="", exclusive=True, auto_delete=True).method.queue
    channel.queue_bind(queue=queue, exchange=settings.events_exchange, routing_key=args.routing_key)
    print(f"watching {settings.events_exchange} {args.routing_key} (Ctrl-C stops)", file=sys.stderr)
    try:
        for _method, properties, body in channel.consume(queue, auto_ack=True):
            print(json.dumps(describe(body, properties, writers), default=str), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        if connection.is_open:
            connection.close()


if __name__ == "__main__":
    main()
