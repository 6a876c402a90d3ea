"""Builds a relay from the settings; the one place that picks the implementations."""

from __future__ import annotations

import gc
import os
from datetime import timedelta
from pathlib import Path

from pika.adapters.select_connection import IOLoop
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from adapters.database import create_database_engine
from items_events.broker_addresses import broker_parameters
from items_events.reconnect_policy import ReconnectPolicy
from relay.confirm_channel import ConfirmChannel
from relay.leadership import FileLockLeadership, Leadership
from relay.outbox_relay import OutboxRelay
from relay.outbox_source import OutboxSource
from relay.postgres_leadership import PostgresLeadership, lock_connection_factory
from relay.publisher import ConfirmingPublisher
from relay.relay_options import RelayOptions
from relay.retention import Retention
from relay.topology import Topology
from settings import Settings

POSTGRES_FALLBACK_POLL_S = 1.0
"""On PostgreSQL, NOTIFY wakes the relay; polling only covers a lost notification."""
LOCK_FILE_SUFFIX = ".relay-lock"
_SESSION_OPTIONS = ("-c synchronous_commit=off", "-c plan_cache_mode=force_custom_plan")


class RelayService:
    """A relay and the database resources it owns: `run()` until `stop()`, then release them."""

    def __init__(self, relay: OutboxRelay, source: OutboxSource, engine: Engine) -> None:
        self.relay = relay
        self._source = source
        self._engine = engine

    def run(self) -> None:
        # What exists now (modules, classes, the wiring) lives as long as the relay. Frozen, it is
        # left out of the collector's full passes, which otherwise walk it all (~75,000 objects)
        # every few thousand events and stop the loop, and every event in it, for 40-60 ms.
        gc.collect()
        gc.freeze()
        try:
            self.relay.run()
        finally:
            gc.unfreeze()
            self._source.close()
            self._engine.dispose()

    def stop(self) -> None:
        """Thread-safe and signal-safe."""
        self.relay.stop()


def build_relay(
    settings: Settings, options: RelayOptions | None = None, topology: Topology | None = None
) -> RelayService:
    """The relay of `settings`; `options` and `topology` default to what the settings say."""
    engine = create_database_engine(_relay_sessions(settings))
    topology = topology or Topology(settings.events_exchange)
    loop = IOLoop()
    addresses = broker_parameters(settings.amqp_url)  # every node of the cluster, in order
    for parameters in addresses:
        parameters.client_properties = {"connection_name": f"items-relay:{os.getpid()}"}
    channel = ConfirmChannel(loop, addresses, topology, ReconnectPolicy())
    publisher = ConfirmingPublisher(loop, channel, topology.exchange, settings.relay_confirm_timeout_s)
    retention = Retention(
        engine,
        outbox_retention=timedelta(days=settings.outbox_retention_days),
        idempotency_ttl=timedelta(hours=settings.idempotency_ttl_hours),
    )
    source = OutboxSource(engine)
    relay = OutboxRelay(
        loop,
        source,
        publisher,
        _leadership(settings, engine),
        retention,
        options or default_options(settings),
    )
    return RelayService(relay, source, engine)


def default_options(settings: Settings) -> RelayOptions:
    poll_interval_s = settings.relay_poll_interval_s if settings.is_sqlite else POSTGRES_FALLBACK_POLL_S
    return RelayOptions(
        batch_size=settings.relay_batch_size,
        max_in_flight=settings.relay_max_in_flight,
        poll_interval_s=poll_interval_s,
        read_interval_s=settings.relay_read_interval_ms / 1000,
    )


def _relay_sessions(settings: Settings) -> Settings:
    """PostgreSQL session settings of the relay's own connections.

    `synchronous_commit=off`: every write of the relay can be redone (a mark lost in a
    crash only means the event is sent again; a lost purge runs again), so its commits
    need not wait for the WAL flush. `plan_cache_mode=force_custom_plan`: the pending
    read excludes an array of in-flight seqs, which PostgreSQL hashes only when the
    plan sees the array's value; a generic plan of the prepared statement compares
    each row with every element instead.
    """
    if settings.is_sqlite:
        return settings
    url = make_url(settings.database_url)
    options = " ".join(filter(None, [str(url.query.get("options") or ""), *_SESSION_OPTIONS]))
    relay_url = url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    return settings.with_changes({"database_url": relay_url})


def _leadership(settings: Settings, engine: Engine) -> Leadership:
    if not settings.is_sqlite:
        return PostgresLeadership(lock_connection_factory(engine))
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        raise ValueError("the relay needs a SQLite file shared with the API, not an in-memory database")
    return FileLockLeadership(Path(database + LOCK_FILE_SUFFIX))
