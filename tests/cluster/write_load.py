"""The write load of the service-level failover tests, and what they read back once it is over."""

from __future__ import annotations

from sqlalchemy import Engine, select

from adapters.tables import outbox
from examples.catalog_projection.catalog_settings import CatalogSettings
from tests.cluster.polling import poll
from tests.cluster.service_on_cluster import consumer_marks
from tests.integration.api_server import ApiServer
from tests.scale.spread_write_load import SpreadWriteLoad

ITEMS = 80
PATCHES_PER_ITEM = 6
CLIENTS = 4
LOAD_TIME_LIMIT_S = 40.0
FAIL_AFTER_SHARE = 0.3
"""The failure is caused once this share of the planned writes has been answered."""
DELIVERY_TIMEOUT_S = 60.0
ANSWERS = frozenset({"POST 201", "PATCH 200", "PATCH 409"})
"""409: a patch that lost the race for an item three times running; it wrote nothing."""


def load_under_way(api: ApiServer) -> SpreadWriteLoad:
    """Creates, then patches, from a few clients; returns once FAIL_AFTER_SHARE of it is answered."""
    load = SpreadWriteLoad([api], ITEMS, PATCHES_PER_ITEM, CLIENTS, LOAD_TIME_LIMIT_S)
    load.start()
    for attempt in poll(LOAD_TIME_LIMIT_S, AssertionError, every_s=0.05):
        with attempt:
            assert load.answered >= FAIL_AFTER_SHARE * load.planned
    return load


def assert_finished(load: SpreadWriteLoad) -> None:
    load.join()
    assert load.answered == load.planned, f"the load did not finish in {LOAD_TIME_LIMIT_S}s: {load.outcomes}"


def wait_until_applied(engine: Engine, catalog: CatalogSettings) -> set[str]:
    """Every event in the outbox, once the consumer has applied exactly those."""
    with engine.connect() as connection:
        expected = {str(event_id) for event_id in connection.execute(select(outbox.c.event_id)).scalars()}
    for attempt in poll(DELIVERY_TIMEOUT_S, AssertionError, every_s=0.5):
        with attempt:
            assert set(consumer_marks(catalog)) == expected
    return expected


def first_after(marks: dict[str, float], moment: float) -> float:
    """Seconds from `moment` to the first mark after it."""
    return min(mark for mark in marks.values() if mark > moment) - moment
