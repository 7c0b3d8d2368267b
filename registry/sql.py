"""Small SQL helpers that read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

# Built once per (database, table, columns, key) and reused with bound values: building the
# statement for every row costs more than the database's own work.
_STATEMENTS: dict[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], Any] = {}


def _statement(
    conn: Connection, table: Table, kind: str, columns: Sequence[str], keys: Sequence[str]
) -> Any:
    cache_key = (conn.dialect.name, table.name, kind, tuple(sorted(columns)), tuple(keys))
    statement = _STATEMENTS.get(cache_key)
    if statement is None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table)
        if kind == "upsert":
            changed = {k: insert.excluded[k] for k in columns if k not in keys}
            statement = insert.on_conflict_do_update(index_elements=list(keys), set_=changed)
        else:
            statement = insert.on_conflict_do_nothing(index_elements=list(keys))
            if dialect is postgresql:
                # RETURNING says whether the row went in: with psycopg (through SQLAlchemy
                # 2.1) an INSERT ... ON CONFLICT DO NOTHING reports rowcount -1 either way,
                # which made every Idempotency-Key look new on PostgreSQL. (SQLite's
                # rowcount is right, and its RETURNING needs 3.35.)
                statement = statement.returning(*(table.c[k] for k in keys))
        _STATEMENTS[cache_key] = statement
    return statement


def upsert(conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert a row, or update every non-key column of the row with the same key."""
    conn.execute(_statement(conn, table, "upsert", list(values), keys), dict(values))


def insert_ignore(
    conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]
) -> bool:
    """Insert a row unless one with the same key exists; True when it was inserted."""
    result = conn.execute(_statement(conn, table, "ignore", list(values), keys), dict(values))
    if conn.dialect.name == "postgresql":
        return result.first() is not None
    return result.rowcount == 1
