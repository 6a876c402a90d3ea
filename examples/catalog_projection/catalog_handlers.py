"""The projection's event handlers: plain functions, their dependencies injected like the API's."""

from __future__ import annotations

import logging

from injector import Inject
from sqlalchemy import Connection

from consumer import EventHandlers, ReceivedEvent
from examples.catalog_projection.catalog import Catalog

log = logging.getLogger(__name__)

handlers = EventHandlers()


@handlers.on("ItemCreated", "ItemUpdated")
def item_changed(event: ReceivedEvent, connection: Connection, catalog: Inject[Catalog]) -> None:
    _apply(event, connection, catalog, deleted=False)


@handlers.on("ItemDeleted")
def item_deleted(event: ReceivedEvent, connection: Connection, catalog: Inject[Catalog]) -> None:
    _apply(event, connection, catalog, deleted=True)


def _apply(event: ReceivedEvent, connection: Connection, catalog: Catalog, *, deleted: bool) -> None:
    if not catalog.apply(connection, event.item, event.version, deleted=deleted):
        # Normal with at-least-once delivery and no global order: a newer state is already in.
        log.debug("ignored %s of item %s at version %d: not newer", event.event_type, event.item["id"], event.version)
