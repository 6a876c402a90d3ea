"""The projection's settings: its own database, broker and queue, read from `CATALOG_*` variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from items_events import ConsumerConfig
from items_events.broker_addresses import split_broker_urls

HERE = Path(__file__).resolve().parent
DEFAULT_CATALOG_URL = f"sqlite:///{HERE.parent.parent / 'var' / 'catalog.db'}"


class CatalogSettings(BaseSettings):
    """Every knob of the projection; each field maps to `CATALOG_<FIELD>` in the environment."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_prefix="CATALOG_")

    database_url: str = Field(default=DEFAULT_CATALOG_URL, description="Its own database: SQLite file or PostgreSQL.")
    amqp_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/%2F",
        description="The broker and vhost; for a cluster, every node's URL, separated by commas or spaces.",
    )
    exchange: str = Field(default="items", description="The events exchange (the producer's EVENTS_EXCHANGE).")
    queue: str = Field(default="catalog-projection", description="Its own quorum queue; `<queue>.dlq` is its DLQ.")
    schemas_url: str = Field(
        default="http://127.0.0.1:8080/v1/schemas", description="Where the producer serves its writer schemas."
    )
    prefetch: int = Field(default=100, ge=1, le=65535, description="Unacked messages the broker may send ahead.")
    max_batch: int = Field(default=50, ge=1, description="Events applied per transaction (at most `prefetch`).")
    delivery_limit: int = Field(default=5, ge=1, description="Redeliveries before a failing message is dead-lettered.")
    heartbeat_s: int = Field(default=30, ge=0, description="AMQP heartbeat timeout.")
    metrics_port: int = Field(default=0, ge=0, le=65535, description="Port of its /metrics listener (0: none).")
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$", description="Root log level.")

    @field_validator("amqp_url")
    @classmethod
    def _broker_urls_are_well_formed(cls, value: str) -> str:
        split_broker_urls(value)
        return value

    def consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            queue=self.queue,
            bindings=("item.*",),
            amqp_url=self.amqp_url,
            exchange=self.exchange,
            prefetch=self.prefetch,
            max_batch=min(self.max_batch, self.prefetch),
            delivery_limit=self.delivery_limit,
            heartbeat_s=self.heartbeat_s,
        )
