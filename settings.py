"""Typed service settings, read once from the environment (12-factor)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from items_events.broker_addresses import split_broker_urls

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_SQLITE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'items.db'}"
_HOST_AND_PORT = re.compile(r"^[^:\[\]]+:\d+$")


class Settings(BaseSettings):
    """Every knob of the service; each field maps to the upper-case environment variable."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    database_url: str = Field(
        DEFAULT_SQLITE_URL,
        description="SQLAlchemy URL; sqlite or postgresql+psycopg. A primary with standbys: every server, "
        "with `target_session_attrs=read-write`, e.g. `postgresql+psycopg://u:p@/items?host=db1:5432"
        "&host=db2:5432&target_session_attrs=read-write`; each new connection finds the current primary.",
    )
    db_pool_size: int = Field(10, ge=1, le=200, description="Connections kept per process (PostgreSQL).")
    db_pool_timeout_s: float = Field(5.0, gt=0, description="Seconds to wait for a pooled connection.")
    db_pool_pre_ping: bool = Field(
        False,
        description="Ping every pooled connection before use (one more round trip per request). Off, a "
        "connection is checked without a round trip: replaced if the server closed it, pinged if idle long.",
    )
    db_pool_ping_idle_s: float = Field(
        10.0, gt=0, description="A pooled connection idle longer than this is pinged before use."
    )
    db_connect_timeout_s: int = Field(
        3, ge=2, le=60, description="Seconds to connect to PostgreSQL; twice that bounds an unanswered send."
    )
    db_statement_timeout_ms: int = Field(
        3000, ge=0, description="PostgreSQL statement_timeout of the API's queries (0: none); a hung query gets 503."
    )
    db_probe_timeout_ms: int = Field(
        1000, ge=1, description="PostgreSQL statement_timeout of the readiness probe's query; past it, 503."
    )
    db_pool_recycle_s: int = Field(1800, ge=1, description="Replace pooled connections older than this.")
    sqlite_busy_timeout_ms: int = Field(5000, ge=0, description="How long SQLite waits for a write lock.")
    max_body_bytes: int = Field(1024 * 1024, ge=1, description="Larger request bodies get 413.")
    max_json_depth: int = Field(
        32, ge=1, le=200, description="JSON bodies nesting arrays or objects deeper than this get 400."
    )
    max_header_bytes: int = Field(
        32 * 1024, ge=1024, le=1024 * 1024, description="Request line and headers over this many bytes get 431."
    )
    idempotency_ttl_hours: int = Field(24, ge=24, description="How long Idempotency-Key records are kept.")
    validate_responses: bool = Field(False, description="Validate every response against the spec (tests).")
    amqp_url: str = Field(
        "amqp://guest:guest@127.0.0.1:5672/%2F",
        description="RabbitMQ the relay publishes to. A cluster: every node's URL, separated by commas or "
        "spaces, same vhost; tried in order, and after losing a node from the next one.",
    )
    broker_public_url: str | None = Field(
        None,
        description="The broker address (or cluster list) the AsyncAPI document gives consumers (credentials "
        "are never shown); AMQP_URL when unset.",
    )
    events_exchange: str = Field("items", description="Durable topic exchange that carries the events.")
    event_source: str = Field("urn:items-service", description="CloudEvents `ce-source` of our events.")
    # Never None once built: filled in from HOST and PORT when unset.
    public_base_url: str = Field(
        None,  # type: ignore[assignment]
        description="Base of `ce-dataschema` and `/v1/schemas` URLs. Unset: `http://HOST:PORT` (127.0.0.1 "
        "for a 0.0.0.0 bind), right for one machine only; production sets the address clients use.",
    )
    relay_batch_size: int = Field(500, ge=1, le=10000, description="Outbox rows the relay reads at once.")
    relay_max_in_flight: int = Field(1000, ge=1, description="Unconfirmed messages the relay allows.")
    relay_poll_interval_s: float = Field(0.05, gt=0, description="SQLite poll period of the relay.")
    relay_read_interval_ms: float = Field(
        2.0,
        ge=0,
        le=1000,
        description="Least time between two outbox reads while commits keep coming: the commits in between "
        "share the next read (fewer reads, socket writes and acks). An idle relay reads at the first commit. "
        "0: read at every wake-up.",
    )
    relay_confirm_timeout_s: float = Field(10.0, gt=0, description="A publish unconfirmed by then is resent.")
    outbox_retention_days: float = Field(7, ge=0, description="Published events are kept this long for replay.")
    auth_enabled: bool = Field(True, description="Require a bearer JWT on every non-public endpoint.")
    auth_jwks_url: str | None = Field(None, description="JWKS of the identity provider (RS256/ES256 tokens).")
    auth_public_key: str | None = Field(None, description="PEM public key, when there is no JWKS.")
    auth_dev_secret_file: Path = Field(
        PROJECT_ROOT / "var" / "dev-jwt-secret",
        description="HS256 secret for local tokens, made on first use; used only without a JWKS or key.",
    )
    auth_token_url: str | None = Field(
        None,
        pattern="^https?://",
        description="Token endpoint of the identity provider, the `tokenUrl` of the served spec; "
        "unset: the development token endpoint `/dev/token`.",
    )
    auth_issuer: str = Field("items-dev", description="Required `iss` of tokens.")
    auth_audience: str = Field("items-service", description="Required `aud` of tokens.")
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$", description="Root log level.")
    access_log: bool = Field(True, description="One JSON line per HTTP request.")
    cors_allow_origins: list[str] = Field(
        default_factory=list, description='CORS origins, a JSON list such as ["https://app.example"]; off when empty.'
    )
    metrics_port: int = Field(
        0, ge=0, le=65535, description="Port of /metrics for the relay and consumer processes (0: none)."
    )
    host: str = Field("127.0.0.1", description="Bind address of `make run`.")
    port: int = Field(8080, ge=1, le=65535, description="Bind port of `make run`.")

    @model_validator(mode="before")
    @classmethod
    def _public_base_url_follows_the_bind(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("public_base_url"):
            served = served_base_url(data.get("host") or "127.0.0.1", data.get("port") or 8080)
            data = {**data, "public_base_url": served}
        return data

    @field_validator("amqp_url", "broker_public_url")
    @classmethod
    def _broker_urls_are_well_formed(cls, value: str | None) -> str | None:
        if value is not None:
            split_broker_urls(value)  # pika would misread a malformed list without a word
        return value

    @field_validator("database_url")
    @classmethod
    def _several_servers_lead_to_the_primary(cls, value: str) -> str:
        check_database_url(value)
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def signs_own_tokens(self) -> bool:
        """Tokens are checked against the local dev secret: auth is on, and neither a JWKS nor a key is set."""
        return self.auth_enabled and not self.auth_jwks_url and not self.auth_public_key


def check_database_url(value: str) -> None:
    """A `ValueError` for a URL that cannot connect, or whose several servers could lead to a standby."""
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise ValueError(
            "not a database URL, e.g. postgresql+psycopg://user:password@host:5432/items; several servers go "
            "in the query: postgresql+psycopg://user:password@/items?host=a:5432&host=b:5432"
            "&target_session_attrs=read-write"
        ) from None
    given = url.query.get("host") or ()
    entries = [given] if isinstance(given, str) else list(given)
    hosts = [host for entry in entries for host in entry.split(",")]
    if any("," in entry and any(_HOST_AND_PORT.match(host) for host in entry.split(",")) for entry in entries):
        # psycopg reads `a:1,b:2` as one host name, which does not resolve.
        raise ValueError("name each server as its own `host=HOST:PORT`, or give `host=A,B&port=P,Q`")
    if len(hosts) > 1 and url.query.get("target_session_attrs") not in ("read-write", "primary"):
        # libpq's default (`any`) may pick a standby, where every write fails and a relay could lead.
        raise ValueError("a URL with several PostgreSQL hosts needs target_session_attrs=read-write")


def served_base_url(host: str, port: object) -> str:
    """The URL of a local bind: a wildcard address is reached through the loopback one."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - compared, not bound
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class SettingsError(SystemExit):
    """A bad setting: stops the process with one line that names the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation failure into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "?"
        raise SettingsError(f"invalid setting {variable}: {first['msg']}") from None
