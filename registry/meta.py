"""Registry-wide settings kept in the database (shared by every worker)."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from registry import tables as t
from registry.sql import upsert

# Built once: the test clock's date is read by every act.
_META_VALUE = select(t.registry_meta.c.value).where(t.registry_meta.c.key == bindparam("key"))


def get_meta(conn: Connection, key: str) -> str | None:
    row = conn.execute(_META_VALUE, {"key": key}).first()
    return None if row is None else str(row[0])


def put_meta(conn: Connection, key: str, value: str) -> None:
    upsert(conn, t.registry_meta, {"key": key, "value": value}, ["key"])
