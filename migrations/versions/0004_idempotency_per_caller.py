"""Idempotency-Key records are scoped to the caller, and name any kind of resource.

A key is unique per caller (the token's `sub`), so one caller can never replay another
caller's response. Records written before this migration belong to no caller: they are
kept until they expire, but no request replays them any more.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NO_CALLER = "(before 0004)"


def upgrade() -> None:
    op.create_table(
        "idempotency_keys_new",
        sa.Column("caller", sa.String(255), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("caller", "key", name="pk_idempotency_keys"),
    )
    op.execute(
        sa.text(
            "INSERT INTO idempotency_keys_new (caller, key, request_hash, resource_id, version, response_body, "
            "created_at) SELECT :caller, key, request_hash, item_id, 1, response_body, created_at FROM idempotency_keys"
        ).bindparams(caller=NO_CALLER)
    )
    op.drop_table("idempotency_keys")
    op.rename_table("idempotency_keys_new", "idempotency_keys")
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.create_table(
        "idempotency_keys_old",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Keys of several callers may collide once unscoped; only the records from before 0004 come back.
    op.execute(
        sa.text(
            "INSERT INTO idempotency_keys_old (key, request_hash, status, item_id, response_body, created_at) "
            "SELECT key, request_hash, 201, resource_id, response_body, created_at FROM idempotency_keys "
            "WHERE caller = :caller"
        ).bindparams(caller=NO_CALLER)
    )
    op.drop_table("idempotency_keys")
    op.rename_table("idempotency_keys_old", "idempotency_keys")
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
