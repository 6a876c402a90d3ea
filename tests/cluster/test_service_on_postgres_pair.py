"""The service on a PostgreSQL primary and synchronous standby, under a steady write load, while the primary is lost.

`pg_ctl stop -m immediate` of the primary, then `pg_ctl promote` of the standby. The API,
both relays and the example consumer (its own database on the same pair) share multi-host
URLs with `target_session_attrs=read-write`; nothing is reconfigured at the promotion.
Replication is synchronous: a commit is acknowledged once the standby has flushed it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.database import create_database_engine
from tests.cluster.load_outcome import LoadOutcome, assert_nothing_lost_or_applied_twice, count_outcome
from tests.cluster.postgres_pair import StreamingPair
from tests.cluster.service_on_cluster import ServiceSettings, running_service
from tests.cluster.timings import Timings
from tests.cluster.write_load import ANSWERS, more_writes, steady_load, wait_until_flowing
from tests.conftest import migrate
from tests.consumer.broker import TestBroker
from tests.scale.leadership_log import read_leadership_log, terms_in_order
from tests.servers import require_rabbitmq

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.rabbitmq]

RELAYS = 2
CONSUMER_DATABASE = "catalog"
DURING_THE_SWITCH = frozenset({"POST 503", "PATCH 503"})
"""A write during the switch is refused with 503 and Retry-After (the client retries it); never a 500."""


@pytest.fixture
def service_settings(postgres_pair: StreamingPair, tmp_path: Path) -> Iterator[ServiceSettings]:
    """The pair's multi-host URLs, migrated; the shared broker, with the test's own exchange and queues."""
    url = postgres_pair.multi_host_url()
    migrate(url)
    postgres_pair.primary.query(f'CREATE DATABASE "{CONSUMER_DATABASE}"')
    amqp_url = require_rabbitmq()
    settings = ServiceSettings.on(
        url, amqp_url, tmp_path, consumer_database_url=postgres_pair.multi_host_url(CONSUMER_DATABASE)
    )
    yield settings
    with TestBroker(amqp_url) as broker:
        broker.delete(settings.catalog.consumer_config())


def test_acknowledged_writes_and_their_events_survive_losing_the_primary(
    postgres_pair: StreamingPair, service_settings: ServiceSettings, tmp_path: Path, timings: Timings
) -> None:
    catalog = service_settings.catalog
    engine = create_database_engine(service_settings.items)
    try:
        with running_service(service_settings, tmp_path, relays=RELAYS) as service:
            load = steady_load(service.api)
            try:
                more_writes(load)
                stopped_at = time.time()
                postgres_pair.stop_primary_immediately()
                gone_at = time.time()  # no write can commit on the old primary after this
                promoted_in_s = postgres_pair.promote_standby()
                wait_until_flowing(engine, catalog, stopped_at + promoted_in_s)
                more_writes(load)
            finally:
                load.stop()
            outcome = LoadOutcome.settled(engine, catalog)
            assert service.consumer.terminate() == 0, service.consumer.log()
            stopping_at = time.time()  # the relays stop next: a lead may change hands as they go
        leadership = [read_leadership_log(relay.log_path) for relay in service.relays]

        assert not set(load.outcomes) - ANSWERS - DURING_THE_SWITCH, load.outcomes  # no 500, nothing broken
        assert_nothing_lost_or_applied_twice(load, outcome, engine, catalog)
        # The lead moved to the promoted primary, one leader at a time: every lead ended (lost, or
        # given up as its relay stopped) before the next began, so the old leader stopped publishing
        # before any relay led on the promoted primary. A relay may lead more than once after the stop.
        terms = terms_in_order(leadership)
        evidence = (stopped_at, stopping_at, [log.lines for log in leadership])
        assert len([term for term in terms if term.took < stopped_at]) == 1, evidence
        assert all(earlier.stopped < later.took for earlier, later in itertools.pairwise(terms)), evidence
        [leading_at_the_end] = [term for term in terms if term.took < stopping_at < term.stopped]
        assert leading_at_the_end.took > stopped_at, evidence
        new_lead = min(term.took for term in terms if term.took > stopped_at)
        leads_after_the_stop = len([term for term in terms if stopped_at < term.took < stopping_at])
    finally:
        engine.dispose()
    count_outcome(timings, "postgres pair", load, outcome)
    timings.seconds("postgres pair: pg_ctl promote -> accepts writes", promoted_in_s)
    timings.seconds("postgres pair: pg_ctl stop -m immediate, until it returned", gone_at - stopped_at)
    acknowledged_again = min(answered for sent, answered in load.acknowledged_at if sent > gone_at) - gone_at
    timings.seconds("postgres pair: primary gone -> a write sent after it acknowledged", acknowledged_again)
    for what, marks in (
        ("next event published", outcome.published),
        ("next event applied", outcome.applied),
    ):
        timings.seconds(f"postgres pair: primary gone -> {what}", outcome.resumed(gone_at, marks))
    timings.seconds("postgres pair: primary stopped -> a relay leads again", new_lead - stopped_at)
    timings.count("postgres pair: leads taken after the primary stopped", leads_after_the_stop)
