"""The whole service on a test's broker and database: the API under gunicorn, the relays and the example consumer.

Each process gets its broker setting as it is: on a cluster, the list of every node's URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pika
from pika.exceptions import AMQPError
from sqlalchemy import select

from examples.catalog_projection.catalog_settings import CatalogSettings
from examples.catalog_projection.catalog_tables import catalog_items
from items_events import create_consumer_engine
from items_events.broker_addresses import broker_parameters
from items_events.processed_events import processed_events
from items_events.queue_topology import queue_arguments
from settings import Settings
from tests.cluster.polling import poll
from tests.consumer.consumer_process import ConsumerProcess, catalog_process
from tests.integration.api_server import ApiServer, free_port
from tests.integration.relay_runner import RelayProcess
from tests.scale.service_processes import api_servers, relay_processes

CONSUMER_START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ServiceSettings:
    """The producer's and the example consumer's settings, on the same exchange and cluster."""

    items: Settings
    catalog: CatalogSettings

    @classmethod
    def on(
        cls,
        database_url: str,
        amqp_url: str,
        directory: Path,
        consumer_amqp_url: str | None = None,
        consumer_database_url: str | None = None,
    ) -> ServiceSettings:
        """The consumer's broker list and database default to the service's broker and a SQLite file."""
        exchange = f"items.cluster.{uuid.uuid4().hex[:12]}"
        items = Settings(
            database_url=database_url,
            amqp_url=amqp_url,
            events_exchange=exchange,
            auth_dev_secret_file=directory / "jwt-secret",
        )
        catalog = CatalogSettings(
            database_url=consumer_database_url or f"sqlite:///{directory / 'catalog.db'}",
            amqp_url=consumer_amqp_url or amqp_url,
            exchange=exchange,
            queue=f"{exchange}.catalog",
            metrics_port=free_port(),  # its counters tell how many events it applied
        )
        return cls(items, catalog)

    def declare_consumer_queue(self, amqp_url: str) -> None:
        """The consumer's queue, with the consumer's own arguments, declared through `amqp_url`'s node.

        A quorum queue's leader is the node its declaring client is connected to: this puts
        the leader where the test wants it, before the consumer declares the rest itself.
        """
        config = self.catalog.consumer_config()
        with pika.BlockingConnection(pika.URLParameters(amqp_url)) as connection:
            connection.channel().queue_declare(config.queue, durable=True, arguments=queue_arguments(config))


@dataclass
class RunningService:
    """The processes, to find them on the cluster or kill them."""

    api: ApiServer
    relays: list[RelayProcess]
    consumer: ConsumerProcess

    @staticmethod
    def relay_connection_name(relay: RelayProcess) -> str:
        """The `connection_name` the relay gives its broker connection."""
        return f"items-relay:{relay.pid}"


@contextmanager
def running_service(
    settings: ServiceSettings, log_dir: Path, relays: int = 1, api_workers: int = 2
) -> Iterator[RunningService]:
    """One API server, `relays` relays and the example consumer, consuming before this returns.

    Until the consumer has bound its queue, events have nowhere to go (the outbox keeps them
    for replay); a load started earlier would lose them for the consumer.
    """
    with (
        api_servers(settings.items, log_dir, 1, api_workers) as apis,
        relay_processes(settings.items, log_dir, relays) as relay_list,
        catalog_process(
            settings.catalog.model_copy(update={"schemas_url": f"{apis[0].base_url}/v1/schemas"}),
            log_dir / "catalog.log",
        ) as consumer,
    ):
        queue = settings.catalog.queue
        for attempt in poll(CONSUMER_START_TIMEOUT_S, (AssertionError, AMQPError)):
            with attempt:
                assert consumer_count(settings.catalog.amqp_url, queue) > 0, f"nobody consumes {queue} yet"
        yield RunningService(apis[0], relay_list, consumer)


def consumer_count(amqp_url: str, queue: str) -> int:
    with pika.BlockingConnection(broker_parameters(amqp_url)) as connection:
        return int(connection.channel().queue_declare(queue, passive=True).method.consumer_count)


def consumer_marks(settings: CatalogSettings) -> dict[str, float]:
    """When the consumer applied each event (seconds since the epoch), by event id."""
    engine = create_consumer_engine(settings.database_url)
    query = select(processed_events.c.event_id, processed_events.c.processed_at)
    try:
        with engine.connect() as connection:
            return {str(row.event_id): row.processed_at.timestamp() for row in connection.execute(query)}
    finally:
        engine.dispose()


def catalog_versions(settings: CatalogSettings) -> dict[str, int]:
    """Every item's id and the version the consumer holds for it."""
    engine = create_consumer_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(catalog_items.c.id, catalog_items.c.version))
            return {str(item_id): int(version) for item_id, version in rows}
    finally:
        engine.dispose()
