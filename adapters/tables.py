"""SQLAlchemy Core tables of the event pipeline and idempotency; each repository module defines its own.

Alembic migrations are the source of the real schema.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    text,
)

metadata = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    # Scoped per caller (the token's `sub`): one caller can never replay another's response.
    Column("caller", String(255), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("resource_id", Uuid(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("response_body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)

outbox = Table(
    "outbox",
    metadata,
    # Orders the rows for the relay; never used as a high-water mark (sequences commit out of order).
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_id", Uuid(), nullable=False, unique=True),
    Column("aggregate_id", Uuid(), nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("routing_key", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("schema_fingerprint", String(16), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False, index=True),
    Column("published_at", DateTime(timezone=True), nullable=True, index=True),
    Index(
        "ix_outbox_pending",
        "seq",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)
