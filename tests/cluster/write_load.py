"""The steady write load of the service-level failover tests: its steps, and what they read back once it is over."""

from __future__ import annotations

from sqlalchemy import Engine, select

from adapters.tables import outbox
from examples.catalog_projection.catalog_settings import CatalogSettings
from tests.cluster.event_accounting import occurred_times, resumed_after
from tests.cluster.polling import poll
from tests.cluster.service_on_cluster import consumer_marks
from tests.cluster.steady_api_load import SteadyWriteLoad
from tests.integration.api_server import ApiServer
from tests.scale.database_reads import publication_marks

RATE_PER_S = 40.0
CLIENTS = 4
LOAD_LIMIT_S = 150.0
"""Bounds the load if a test never stops it."""
WRITES_PER_STEP = 60
"""Writes answered before the first failure, and between each step after it."""
STEP_TIMEOUT_S = 60.0
DELIVERY_TIMEOUT_S = 60.0
ANSWERS = frozenset({"POST 201", "PATCH 200", "PATCH 409"})
"""409: a patch that lost the race for an item three times running; it wrote nothing."""


def steady_load(api: ApiServer) -> SteadyWriteLoad:
    """Started; `stop()` it."""
    load = SteadyWriteLoad(api, RATE_PER_S, CLIENTS, LOAD_LIMIT_S)
    load.start()
    return load


def more_writes(load: SteadyWriteLoad, count: int = WRITES_PER_STEP) -> None:
    """Returns once `count` more writes have been answered, whatever the answers."""
    target = load.answered + count
    for attempt in poll(STEP_TIMEOUT_S, AssertionError, every_s=0.05):
        with attempt:
            assert load.answered >= target, f"the load stalled: {load.outcomes}"


def wait_until_flowing(engine: Engine, catalog: CatalogSettings, since: float) -> None:
    """Returns once an event that occurred after `since` (seconds since the epoch) has been applied."""
    for attempt in poll(STEP_TIMEOUT_S, ValueError, every_s=0.1):
        with attempt:  # ValueError: no such event yet
            resumed_after(since, occurred_times(engine), consumer_marks(catalog))


def wait_until_applied(engine: Engine, catalog: CatalogSettings) -> set[str]:
    """Every event in the outbox, once the relay has marked them all published and the consumer applied those."""
    with engine.connect() as connection:
        expected = {str(event_id) for event_id in connection.execute(select(outbox.c.event_id)).scalars()}
    for attempt in poll(DELIVERY_TIMEOUT_S, AssertionError, every_s=0.5):
        with attempt:
            assert set(publication_marks(engine)) == expected, "not every event is marked published"
            assert set(consumer_marks(catalog)) == expected, "not every event is applied"
    return expected
