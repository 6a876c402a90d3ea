"""The benchmark's own databases: created, migrated with Alembic, reset and filled fast with SQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from sqlalchemy import Connection, Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from uuid6 import uuid7

from adapters.items_repository import item_tags, items
from bench.options import BenchOptions
from bench.paths import PROJECT_ROOT, WORK_DIR

HARNESS_APPLICATION_NAME = "items-bench-harness"
"""The harness's own PostgreSQL connections say so, and are left out of the servers' CPU budget."""
DEFAULT_NAME = "items_bench"
TABLES = ("item_tags", "idempotency_keys", "outbox", "items")
SEED_SKU_PREFIX = "SEED-"

# UUIDs whose first 48 bits are a millisecond timestamp (one ms apart per row), version 7, variant 10:
# they sort like the service's UUIDv7 ids, so keyset pages walk the primary key as in production.
_POSTGRES_FILL = """
WITH origin AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint - :rows AS ms)
INSERT INTO items (id, sku, name, description, price_amount_minor, price_currency, quantity, tags,
                   version, created_at, updated_at)
SELECT (lpad(to_hex(origin.ms + g), 12, '0') || '7' || substr(md5(random()::text), 1, 3)
        || '8' || substr(md5(random()::text), 1, 15))::uuid,
       :prefix || g, 'Seeded item ' || g, 'Seeded for the benchmark', 100 + g % 10000, 'EUR', g % 100,
       '["seed"]'::json, 1, to_timestamp((origin.ms + g) / 1000.0), to_timestamp((origin.ms + g) / 1000.0)
FROM origin, generate_series(1, :rows) AS g
"""
_TAG_SEEDED = "INSERT INTO item_tags (tag, item_id) SELECT 'seed', id FROM items"


def database_url(kind: str, options: BenchOptions, suffix: str = "") -> str:
    """The URL of one benchmark database of the given kind ("postgres" or "sqlite").

    Every name derives from `--postgres-url`'s database (`items_bench`, `items_bench_events`...),
    so a run given another one touches none of the databases of a run with the default.
    """
    url = make_url(options.postgres_url)
    name = (url.database or DEFAULT_NAME) + (f"_{suffix}" if suffix else "")
    if kind == "sqlite":
        return f"sqlite:///{WORK_DIR / (name + '.sqlite3')}"
    return url.set(database=name).render_as_string(hide_password=False)


class BenchDatabase:
    """One database the harness owns; every method is safe to call on a fresh machine."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.kind = "sqlite" if url.startswith("sqlite") else "postgres"
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            connect_args = {"application_name": HARNESS_APPLICATION_NAME} if self.kind == "postgres" else {}
            self._engine = create_engine(self.url, connect_args=connect_args)
        return self._engine

    def prepare(self) -> None:
        """Create the database if missing and bring its schema to Alembic head."""
        if self.kind == "postgres":
            self._create_postgres_database()
        else:
            Path(make_url(self.url).database or "").parent.mkdir(parents=True, exist_ok=True)
        migration = subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": self.url},
            capture_output=True,
            text=True,
            check=False,
        )
        if migration.returncode != 0:
            raise RuntimeError(f"alembic upgrade head failed on {self.url}:\n{migration.stderr[-2000:]}")

    def reset(self, rows: int) -> float:
        """Empty every table, then insert `rows` seeded items; returns the seconds it took."""
        started = time.perf_counter()
        with self.engine.begin() as connection:
            if self.kind == "postgres":
                connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY"))
            else:
                for table in TABLES:
                    connection.execute(text(f"DELETE FROM {table}"))
            self._fill(connection, rows)
        if self.kind == "postgres":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE items"))
                connection.execute(text("VACUUM ANALYZE item_tags"))
        return time.perf_counter() - started

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM items")).scalar_one())

    def item_ids(self) -> list[str]:
        with self.engine.connect() as connection:
            return [_canonical(value) for value in connection.execute(text("SELECT id FROM items")).scalars()]

    def id_at(self, position: int) -> str:
        """The id of the row at this position in the service's list order (by id)."""
        with self.engine.connect() as connection:
            query = text("SELECT id FROM items ORDER BY id LIMIT 1 OFFSET :position")
            return _canonical(connection.execute(query, {"position": position}).scalar_one())

    def server_version(self) -> str:
        with self.engine.connect() as connection:
            if self.kind == "postgres":
                return str(connection.execute(text("SHOW server_version")).scalar_one())
            return "SQLite " + str(connection.execute(text("SELECT sqlite_version()")).scalar_one())

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _create_postgres_database(self) -> None:
        url = make_url(self.url)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
                ).first()
                if not exists:
                    connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        finally:
            admin.dispose()

    def _fill(self, connection: Connection, rows: int) -> None:
        if rows <= 0:
            return
        if self.kind == "postgres":
            connection.execute(text(_POSTGRES_FILL), {"rows": rows, "prefix": SEED_SKU_PREFIX})
            connection.execute(text(_TAG_SEEDED))
            return
        self._fill_portably(connection, rows)

    @staticmethod
    def _fill_portably(connection: Connection, rows: int) -> None:
        now = datetime.now(UTC)
        batch = 5_000
        for start in range(1, rows + 1, batch):
            chunk = [
                {
                    "id": uuid7(),
                    "sku": f"{SEED_SKU_PREFIX}{number}",
                    "name": f"Seeded item {number}",
                    "description": "Seeded for the benchmark",
                    "price_amount_minor": 100 + number % 10000,
                    "price_currency": "EUR",
                    "quantity": number % 100,
                    "tags": ["seed"],
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for number in range(start, min(start + batch, rows + 1))
            ]
            connection.execute(insert(items), chunk)
            connection.execute(insert(item_tags), [{"tag": "seed", "item_id": row["id"]} for row in chunk])


def _canonical(value: object) -> str:
    """The dashed form the API uses; SQLite keeps UUIDs as 32 bare hex digits."""
    return str(value if isinstance(value, UUID) else UUID(str(value)))
