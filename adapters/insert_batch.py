"""Inserts a transaction holds until its commit, then sends together.

On PostgreSQL the rows of every table go in one statement: each table's insert but the
last is a data-modifying CTE of the last (`WITH w0 AS (INSERT ...) INSERT ...`). PostgreSQL
runs them all as one command and checks foreign keys at its end, and a violation names
the table it concerns, which picks the refusal to raise. On SQLite, in process (there is no
round trip to save), each insert is its own statement, in the order it was asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, Table, bindparam, insert
from sqlalchemy.exc import IntegrityError

Refusal = Callable[[IntegrityError], Exception]
"""The domain's error for a constraint violation of one insert (e.g. a taken sku)."""

FUSED_MAX_ROWS = 64
"""Beyond this many rows (a bulk import), one statement per insert: a few round trips more
matter less than a statement cache keyed by every batch size."""


@dataclass(frozen=True, slots=True)
class _Insert:
    table: Table
    rows: Sequence[dict[str, Any]]
    refusal: Refusal | None


class InsertBatch:
    """Rows to insert at commit, table by table in the order first asked for."""

    def __init__(self, fused: bool) -> None:
        self._fused = fused
        self._inserts: list[_Insert] = []

    def add(self, table: Table, rows: Sequence[dict[str, Any]], refusal: Refusal | None = None) -> None:
        """Hold `rows` (all with the same columns); `refusal` maps a constraint violation, or it propagates."""
        if rows:
            self._inserts.append(_Insert(table, rows, refusal))

    @property
    def statements(self) -> int:
        """How many statements `flush` sends."""
        if self._fused and sum(len(each.rows) for each in self._inserts) <= FUSED_MAX_ROWS:
            return min(1, len(self._inserts))
        return len(self._inserts)

    def flush(self, connection: Connection) -> None:
        """Send everything held, and forget it."""
        inserts, self._inserts = self._inserts, []
        if self._fused and len(inserts) > 1 and sum(len(each.rows) for each in inserts) <= FUSED_MAX_ROWS:
            _send_fused(connection, inserts)
            return
        for each in inserts:
            try:
                connection.execute(_plain(each.table), each.rows if len(each.rows) > 1 else each.rows[0])
            except IntegrityError as exc:
                raise _refused(exc, each.refusal) from exc


def _send_fused(connection: Connection, inserts: list[_Insert]) -> None:
    by_table: dict[Table, list[dict[str, Any]]] = {}
    refusals: dict[str, Refusal] = {}
    for each in inserts:
        by_table.setdefault(each.table, []).extend(each.rows)
        if each.refusal is not None:
            refusals.setdefault(each.table.name, each.refusal)
    shape = tuple((table, tuple(rows[0]), len(rows)) for table, rows in by_table.items())
    parameters = {
        f"p{part}_{number}_{column}": value
        for part, rows in enumerate(by_table.values())
        for number, row in enumerate(rows)
        for column, value in row.items()
    }
    sql, processors = _compiled(shape, connection.dialect)
    for name, process in processors.items():
        parameters[name] = process(parameters[name])
    try:
        # SQLAlchemy caches no compiled form of a multi-row VALUES or of a CTE that inserts (their
        # cache key is None) and would compile this on every create: it is compiled once per shape.
        connection.exec_driver_sql(sql, parameters)
    except IntegrityError as exc:
        table_name = getattr(getattr(exc.orig, "diag", None), "table_name", None)
        raise _refused(exc, refusals.get(table_name or "")) from exc


def _refused(error: IntegrityError, refusal: Refusal | None) -> Exception:
    return refusal(error) if refusal is not None else error


@cache
def _plain(table: Table) -> Insert:
    # `inline`: no RETURNING of the generated key, which nothing reads.
    return insert(table).inline()


@lru_cache(maxsize=256)
def _compiled(
    shape: tuple[tuple[Table, tuple[str, ...], int], ...], dialect: Dialect
) -> tuple[str, dict[str, Callable[[Any], Any]]]:
    """The fused statement's SQL for `dialect`, and the conversion of each parameter that needs one."""
    processors: dict[str, Callable[[Any], Any]] = {}
    for part, (table, columns, count) in enumerate(shape):
        for column in columns:
            process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.update({f"p{part}_{number}_{column}": process for number in range(count)})
    return str(_fused(shape).compile(dialect=dialect)), processors


def _fused(shape: tuple[tuple[Table, tuple[str, ...], int], ...]) -> Insert:
    """The statement of one shape (tables, columns, row counts)."""
    parts = [
        insert(table).values(
            [
                {column: bindparam(f"p{part}_{number}_{column}", type_=table.c[column].type) for column in columns}
                for number in range(count)
            ]
        )
        for part, (table, columns, count) in enumerate(shape)
    ]
    ctes = [statement.cte(f"w{part}") for part, statement in enumerate(parts[:-1])]
    return parts[-1].inline().add_cte(*ctes)
