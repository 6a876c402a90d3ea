"""The projection's event handlers: plain functions of the event and the open transaction."""

from __future__ import annotations

import logging

from sqlalchemy import Connection

from examples.catalog_projection.catalog import Catalog
from items_events import EventHandlers, ReceivedEvent

log = logging.getLogger(__name__)

handlers = EventHandlers()
catalog = Catalog()


@handlers.on("items.v1.ItemCreated", "items.v1.ItemUpdated")
def item_changed(event: ReceivedEvent, connection: Connection) -> None:
    _apply(event, connection, deleted=False)


@handlers.on("items.v1.ItemDeleted")
def item_deleted(event: ReceivedEvent, connection: Connection) -> None:
    _apply(event, connection, deleted=True)


def _apply(event: ReceivedEvent, connection: Connection, *, deleted: bool) -> None:
    item = event.record["item"]
    if not catalog.apply(connection, item, int(item["version"]), deleted=deleted):
        # Normal with at-least-once delivery and no global order: a newer state is already in.
        log.debug("ignored %s of item %s at version %s: not newer", event.event_type, item["id"], item["version"])
