"""Typed service settings, read once from the environment (12-factor).

msgspec turns the environment's strings into one frozen, typed `Settings` and checks every
bound; a bad value stops the process with one line that names the variable. msgspec rather
than pydantic-settings: the same checks for 1.7 MB against 10.0 MB (the library, this module
and one load, measured in a process already holding the service's other libraries), which
gunicorn's master and every worker forked from it paid.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_origin, get_type_hints

import msgspec
from msgspec import Meta
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from items_events.broker_addresses import split_broker_urls

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_SQLITE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'items.db'}"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
_HOST_AND_PORT = re.compile(r"^[^:\[\]]+:\d+$")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every knob of the service; each field maps to the upper-case environment variable.

    Built by `load_settings`, which reads the environment and checks every value; constructing
    one directly (tests) takes the values as given.
    """

    database_url: Annotated[
        str,
        Meta(
            description="SQLAlchemy URL; sqlite or postgresql+psycopg. A primary with standbys: every server, "
            "with `target_session_attrs=read-write`, e.g. `postgresql+psycopg://u:p@/items?host=db1:5432"
            "&host=db2:5432&target_session_attrs=read-write`; each new connection finds the current primary."
        ),
    ] = DEFAULT_SQLITE_URL
    db_pool_size: Annotated[int, Meta(ge=1, le=200, description="Connections kept per process (PostgreSQL).")] = 10
    db_pool_timeout_s: Annotated[float, Meta(gt=0, description="Seconds to wait for a pooled connection.")] = 5.0
    db_pool_pre_ping: Annotated[
        bool,
        Meta(
            description="Ping every pooled connection before use (one more round trip per request). Off, a "
            "connection is checked without a round trip: replaced if the server closed it, pinged if idle long."
        ),
    ] = False
    db_pool_ping_idle_s: Annotated[
        float, Meta(gt=0, description="A pooled connection idle longer than this is pinged before use.")
    ] = 10.0
    db_connect_timeout_s: Annotated[
        int, Meta(ge=2, le=60, description="Seconds to connect to PostgreSQL; twice that bounds an unanswered send.")
    ] = 3
    db_statement_timeout_ms: Annotated[
        int,
        Meta(ge=0, description="PostgreSQL statement_timeout of the API's queries (0: none); a hung query gets 503."),
    ] = 3000
    db_probe_timeout_ms: Annotated[
        int, Meta(ge=1, description="PostgreSQL statement_timeout of the readiness probe's query; past it, 503.")
    ] = 1000
    db_pool_recycle_s: Annotated[int, Meta(ge=1, description="Replace pooled connections older than this.")] = 1800
    sqlite_busy_timeout_ms: Annotated[int, Meta(ge=0, description="How long SQLite waits for a write lock.")] = 5000
    max_body_bytes: Annotated[int, Meta(ge=1, description="Larger request bodies get 413.")] = 1024 * 1024
    max_json_depth: Annotated[
        int, Meta(ge=1, le=200, description="JSON bodies nesting arrays or objects deeper than this get 400.")
    ] = 32
    max_header_bytes: Annotated[
        int,
        Meta(ge=1024, le=1024 * 1024, description="Request line and headers over this many bytes get 431."),
    ] = 32 * 1024
    idempotency_ttl_hours: Annotated[int, Meta(ge=24, description="How long Idempotency-Key records are kept.")] = 24
    validate_responses: Annotated[bool, Meta(description="Validate every response against the spec (tests).")] = False
    amqp_url: Annotated[
        str,
        Meta(
            description="RabbitMQ the relay publishes to. A cluster: every node's URL, separated by commas or "
            "spaces, same vhost; tried in order, and after losing a node from the next one."
        ),
    ] = DEFAULT_AMQP_URL
    broker_public_url: Annotated[
        str | None,
        Meta(
            description="The broker address (or cluster list) the AsyncAPI document gives consumers (credentials "
            "are never shown); AMQP_URL when unset."
        ),
    ] = None
    events_exchange: Annotated[str, Meta(description="Durable topic exchange that carries the events.")] = "items"
    event_source: Annotated[str, Meta(description="CloudEvents `ce-source` of our events.")] = "urn:items-service"
    public_base_url: Annotated[
        str,
        Meta(
            description="Base of `ce-dataschema` and `/v1/schemas` URLs. Unset: `http://HOST:PORT` (127.0.0.1 "
            "for a 0.0.0.0 bind), right for one machine only; production sets the address clients use."
        ),
    ] = ""
    """Never empty once built: filled in from HOST and PORT when unset."""
    relay_batch_size: Annotated[int, Meta(ge=1, le=10000, description="Outbox rows the relay reads at once.")] = 500
    relay_max_in_flight: Annotated[int, Meta(ge=1, description="Unconfirmed messages the relay allows.")] = 1000
    relay_poll_interval_s: Annotated[float, Meta(gt=0, description="SQLite poll period of the relay.")] = 0.05
    relay_read_interval_ms: Annotated[
        float,
        Meta(
            ge=0,
            le=1000,
            description="Time between two outbox reads while commits keep coming: the commits in between "
            "share the next read (fewer reads, socket writes and acks), at the price of about this much delay "
            "per event under load. An idle relay reads at the first commit. 0: read at every wake-up.",
        ),
    ] = 5.0
    relay_confirm_timeout_s: Annotated[float, Meta(gt=0, description="A publish unconfirmed by then is resent.")] = 10.0
    outbox_retention_days: Annotated[
        float, Meta(ge=0, description="Published events are kept this long for replay.")
    ] = 7
    auth_enabled: Annotated[bool, Meta(description="Require a bearer JWT on every non-public endpoint.")] = True
    auth_jwks_url: Annotated[str | None, Meta(description="JWKS of the identity provider (RS256/ES256 tokens).")] = None
    auth_public_key: Annotated[str | None, Meta(description="PEM public key, when there is no JWKS.")] = None
    auth_dev_secret_file: Annotated[
        Path,
        Meta(description="HS256 secret for local tokens, made on first use; used only without a JWKS or key."),
    ] = PROJECT_ROOT / "var" / "dev-jwt-secret"
    auth_token_url: Annotated[
        Annotated[str, Meta(pattern="^https?://")] | None,
        Meta(
            description="Token endpoint of the identity provider, the `tokenUrl` of the served spec; "
            "unset: the development token endpoint `/dev/token`."
        ),
    ] = None
    auth_issuer: Annotated[str, Meta(description="Required `iss` of tokens.")] = "items-dev"
    auth_audience: Annotated[str, Meta(description="Required `aud` of tokens.")] = "items-service"
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], Meta(description="Root log level.")] = "INFO"
    access_log: Annotated[bool, Meta(description="One JSON line per HTTP request.")] = True
    cors_allow_origins: Annotated[
        list[str],
        Meta(description='CORS origins, a JSON list such as ["https://app.example"]; off when empty.'),
    ] = msgspec.field(default_factory=list)
    metrics_port: Annotated[
        int, Meta(ge=0, le=65535, description="Port of /metrics for the relay and consumer processes (0: none).")
    ] = 0
    host: Annotated[str, Meta(description="Bind address of `make run`.")] = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535, description="Bind port of `make run`.")] = 8080

    def __post_init__(self) -> None:
        if not self.public_base_url:
            msgspec.structs.force_setattr(self, "public_base_url", served_base_url(self.host, self.port))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def signs_own_tokens(self) -> bool:
        """Tokens are checked against the local dev secret: auth is on, and neither a JWKS nor a key is set."""
        return self.auth_enabled and not self.auth_jwks_url and not self.auth_public_key

    def with_changes(self, changes: Mapping[str, Any]) -> Settings:
        """A copy with `changes` applied, taken as given (not checked again)."""
        return msgspec.structs.replace(self, **changes)


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


# The words pydantic accepted for a boolean.
_TRUE_WORDS = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE_WORDS = frozenset({"0", "off", "f", "false", "n", "no"})
_ERROR_AT = re.compile(r"^(?P<message>.*) - at `\$\.(?P<field>\w+)[^`]*`$", re.DOTALL)


def load_settings(**overrides: object) -> Settings:
    """The environment's settings (names in any case), `overrides` on top; one clear line for a bad value."""
    kinds = _field_kinds()
    given: dict[str, object] = {name.lower(): value for name, value in os.environ.items() if name.lower() in kinds}
    given |= {name: value for name, value in overrides.items() if name in kinds}
    raw = {name: _readable(kinds[name], name, value) for name, value in given.items()}
    try:
        settings = msgspec.convert(raw, Settings, strict=False, dec_hook=_decode_path)
    except msgspec.ValidationError as exc:
        found = _ERROR_AT.match(str(exc))
        variable, message = (found["field"].upper(), found["message"]) if found else ("?", str(exc))
        raise SettingsError(f"invalid setting {variable}: {message}") from None
    for name, check in (
        ("amqp_url", split_broker_urls),  # pika would misread a malformed list without a word
        ("broker_public_url", split_broker_urls),
        ("database_url", check_database_url),
    ):
        value = getattr(settings, name)
        try:
            if value is not None:
                check(value)
        except ValueError as exc:
            raise SettingsError(f"invalid setting {name.upper()}: {exc}") from None
    return settings


def field_names() -> tuple[str, ...]:
    return tuple(_fields())


def field_description(name: str) -> str:
    """The `Meta(description=...)` of a field, for docs/configuration.md."""
    metadata = getattr(get_type_hints(Settings, include_extras=True)[name], "__metadata__", ())
    return next((meta.description for meta in metadata if isinstance(meta, Meta) and meta.description), "")


def field_default(name: str) -> object:
    field = _fields()[name]
    return field.default_factory() if field.default is msgspec.NODEFAULT else field.default


@functools.cache
def _fields() -> dict[str, msgspec.structs.FieldInfo]:
    return {field.name: field for field in msgspec.structs.fields(Settings)}


@functools.cache
def _field_kinds() -> dict[str, object]:
    """Each field's plain type (bool, int, float, list, ...), or None for an optional one."""
    kinds: dict[str, object] = {}
    for name, field in _fields().items():
        hint = field.type
        while get_origin(hint) is Annotated:
            hint = hint.__origin__
        kinds[name] = None if field.default is None else get_origin(hint) or hint
    return kinds


def _readable(kind: object, name: str, value: object) -> object:
    """A string in the form msgspec converts: numbers and booleans read as pydantic did, a list from JSON."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # bytes the environment could not decode
        raise SettingsError(f"invalid setting {name.upper()}: not valid UTF-8") from None
    text = value.strip()
    if kind is None and not text:
        return None  # an optional setting given empty, as `${VAR:-}` gives it, is unset
    if kind is bool:
        word = text.lower()
        if word in _TRUE_WORDS | _FALSE_WORDS:
            return word in _TRUE_WORDS
        raise SettingsError(
            f"invalid setting {name.upper()}: expected true or false (1/0, yes/no, on/off), got {value!r}"
        )
    if kind in (int, float):
        try:
            return int(text) if kind is int else float(text)  # Python's own forms: " 20 ", "+5", "1_000", ".5"
        except ValueError:
            wanted = "an integer" if kind is int else "a number"
            raise SettingsError(f"invalid setting {name.upper()}: expected {wanted}, got {value!r}") from None
    if kind is list:
        try:
            items = msgspec.json.decode(text)
        except (msgspec.DecodeError, RecursionError):
            example = '["https://app.example"]'
            raise SettingsError(f"invalid setting {name.upper()}: not a JSON list, e.g. {example}") from None
        return [] if items is None else items
    return value


def _decode_path(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, (str, os.PathLike)):
        return Path(value)
    raise TypeError(f"expected a path, got {type(value).__name__}")
