"""Categories, and the optional category of an item.

An item's `category_id` must name a category (a foreign key without ON DELETE), so a
category that items still name cannot be deleted. Downgrading on SQLite empties the
column instead of dropping it.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name", name="uq_categories_name"),
    )
    # A plain ADD COLUMN, never a copy of the table: on SQLite, dropping the old copy of `items`
    # would delete every row of `item_tags` through its ON DELETE CASCADE.
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # A SQLite database downgraded from here keeps the column (see downgrade).
        if "category_id" not in {column["name"] for column in sa.inspect(bind).get_columns("items")}:
            op.execute("ALTER TABLE items ADD COLUMN category_id CHAR(32) REFERENCES categories (id)")
    else:
        op.add_column("items", sa.Column("category_id", sa.Uuid(), nullable=True))
        op.create_foreign_key("fk_items_category", "items", "categories", ["category_id"], ["id"])
    op.create_index("ix_items_category_id", "items", ["category_id"])


def downgrade() -> None:
    op.drop_index("ix_items_category_id", "items")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column with a foreign key, and copying `items` would cascade into
        # `item_tags` (see upgrade): the column stays, emptied and unused.
        op.execute("UPDATE items SET category_id = NULL")
        op.drop_table("categories")
        return
    op.drop_constraint("fk_items_category", "items", type_="foreignkey")
    op.drop_column("items", "category_id")
    op.drop_table("categories")
