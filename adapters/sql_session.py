"""The connection of one unit of work, and when it opens a transaction.

On PostgreSQL the connection is in autocommit, and the transaction begins only when a
statement needs one: a row lock, an update or delete, or a commit of more than one
statement. Reads before it run on their own, as they would in a READ COMMITTED
transaction (each statement sees what has committed), and a create, whose inserts go in
one statement at commit, needs no BEGIN or COMMIT at all. On SQLite the connection opens
its transaction on first use, as SQLAlchemy does (`adapters/database.py` picks the lock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, CursorResult, Executable, Table

from adapters.insert_batch import InsertBatch, Refusal


class SqlSession:
    """Reads at once, inserts at commit, locks and other writes inside a transaction."""

    def __init__(self, connection: Connection, begins_on_demand: bool) -> None:
        self._connection = connection
        self._begins_on_demand = begins_on_demand
        self._begun = False
        self._inserts = InsertBatch(fused=begins_on_demand)

    def read(self, statement: Executable, parameters: Mapping[str, Any] | None = None) -> CursorResult[Any]:
        return self._connection.execute(statement, parameters)

    def write(self, statement: Executable, parameters: Mapping[str, Any] | None = None) -> CursorResult[Any]:
        """A lock (`FOR UPDATE`), update or delete: the transaction is open from here on."""
        self._begin()
        return self._connection.execute(statement, parameters)

    def insert(self, table: Table, rows: Sequence[dict[str, Any]], refusal: Refusal | None = None) -> None:
        """Insert at commit; a constraint violation raises `refusal`'s error then."""
        self._inserts.add(table, rows, refusal)

    def commit(self) -> None:
        if self._inserts.statements > 1:
            self._begin()
        self._inserts.flush(self._connection)
        self._connection.commit()  # the driver sends COMMIT only if a transaction is open

    def _begin(self) -> None:
        if self._begins_on_demand and not self._begun:
            self._connection.exec_driver_sql("BEGIN")
            self._begun = True
