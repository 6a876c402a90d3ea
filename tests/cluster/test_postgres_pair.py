"""The PostgreSQL pair harness works: the standby streams, and takes over with every acknowledged write."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from adapters.database import create_database_engine
from settings import Settings
from tests.cluster.polling import poll
from tests.cluster.postgres_pair import StreamingPair
from tests.cluster.steady_writes import SteadyWrites
from tests.cluster.timings import Timings
from tests.conftest import migrate

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

WRITES_AFTER_PROMOTION = 20
TIMEOUT_S = 60.0


def test_the_standby_streams_and_the_primary_waits_for_it(postgres_pair: StreamingPair) -> None:
    assert postgres_pair.replication_state() == ("streaming", "sync")


def test_every_acknowledged_write_survives_an_immediate_stop_and_a_promotion(
    postgres_pair: StreamingPair, timings: Timings
) -> None:
    url = postgres_pair.multi_host_url()
    migrate(url)
    with SteadyWrites(Settings(database_url=url)) as writes:
        time.sleep(1.0)
        stopped_at = time.monotonic()
        postgres_pair.stop_primary_immediately()
        primary_gone = time.monotonic()
        promoted_in_s = postgres_pair.promote_standby()
        for attempt in poll(TIMEOUT_S, AssertionError, every_s=0.1):
            with attempt:
                assert len(writes.acknowledged_since(primary_gone)) >= WRITES_AFTER_PROMOTION
    after = writes.acknowledged_since(primary_gone)

    skus = {str(row[0]) for row in postgres_pair.standby.query("SELECT sku FROM items", postgres_pair.database)}
    acknowledged = {sku for _at, sku in writes.acknowledged}
    assert acknowledged <= skus, f"lost acknowledged writes: {sorted(acknowledged - skus)[:10]}"
    first_after = min(at for at, sku in writes.acknowledged if sku in after)
    timings.seconds("postgres: pg_ctl promote -> standby accepts writes", promoted_in_s)
    timings.seconds("postgres: primary stopped -> first write acknowledged again", first_after - stopped_at)
    timings.count("postgres: writes acknowledged before the primary was gone", len(acknowledged) - len(after))
    for error, count in sorted(writes.errors.items()):
        timings.count(f"postgres: writes that failed during the switch ({error})", count)


@pytest.mark.parametrize("lists", [False, True], ids=["host-per-server", "host-and-port-lists"])
def test_one_multi_host_url_reaches_the_promoted_standby_without_a_change(
    postgres_pair: StreamingPair, lists: bool
) -> None:
    engine = create_database_engine(Settings(database_url=postgres_pair.multi_host_url(lists=lists)))
    served_by = text("SELECT inet_server_port(), pg_is_in_recovery()")
    with engine.connect() as connection:
        before = connection.execute(served_by).one()

    postgres_pair.stop_primary_immediately()
    postgres_pair.promote_standby()
    failures = []
    for attempt in poll(TIMEOUT_S, OperationalError, every_s=0.1):
        with attempt:  # the pooled connection to the old primary fails once, and the pool is emptied
            try:
                with engine.connect() as connection:
                    after = connection.execute(served_by).one()
            except OperationalError as exc:
                failures.append(exc)
                raise
    engine.dispose()

    assert tuple(before) == (postgres_pair.primary.port, False)
    assert tuple(after) == (postgres_pair.standby.port, False)
    assert len(failures) <= 1, failures
